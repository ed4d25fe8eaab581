// A subtask kept by a rescale in place (job_manager_rescale.cpp): stopped at the rescale's
// checkpoint, it is connected to the rescaled job's subtasks (rewire_msg), then goes on
// (resume_subtask_atom). Its operators, their state and its timers stay as they are.

#include "subtask_actor.hpp"

#include "sluice/operators/api/job_config.hpp"
#include "sluice/operators/core/logging.hpp"

namespace sluice {

void subtask_actor::rewire(const rewire_msg& msg) {
  if (phase_ != lifecycle::running || !stopped())
    throw std::logic_error("rewired while not stopped at a rescale's checkpoint");
  const std::vector<int> wanted(msg.parallelism.begin(), msg.parallelism.end());
  auto plan = setup_.plan->rebuilt(*setup_.config, wanted);
  if (plan->fingerprint() != msg.fingerprint)
    throw config_error("the rescaled job graph differs from the job manager's (do all "
                       "processes run the same job program with the same flags?)");
  // The old plan lives until the chain points into the new one.
  const auto old_plan = std::exchange(setup_.plan, std::move(plan));
  setup_.generation = msg.generation;
  paused_ = true;
  // The new input channels start without a watermark: what the operators saw stays the floor.
  if (watermarks_)
    watermark_floor_ = std::max(watermark_floor_, watermarks_->current());
  build_gates();
  connect(msg.wiring);
  chain_->rewire(*setup_.plan, *output_, layout_);
  init_checkpointing();
  if (input_idle_) { // the new channels start active
    input_idle_ = false;
    chain_->process_watermark_status(false);
  }
  log()->debug("{}: rewired to {} input and {} output channels", log_prefix_, inputs_.size(),
               outputs_.size());
}

void subtask_actor::resume() {
  paused_ = false;
  input_->start();
  if (chain_->source())
    schedule_source_step();
  fire_processing_timers();
  process_input();
}

} // namespace sluice
