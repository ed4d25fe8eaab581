#include "subtask_actor.hpp"

#include "sluice/actors/buffer_pool.hpp"
#include "sluice/actors/state_handoff.hpp"
#include "sluice/checkpoint/metadata_file.hpp"
#include "sluice/operators/core/logging.hpp"
#include "sluice/operators/core/operator_failure.hpp"

#include <cmath>
#include <filesystem>

#include <sys/resource.h>
#include <unistd.h>

namespace sluice {

namespace {

/// Records a source emits per step before it yields to other messages.
constexpr std::size_t source_step_records = 16384;
/// Records per poll of a source within a step.
constexpr std::size_t source_poll_records = 1024;

/// Gives the calling thread the lowest CPU priority (Linux: a thread has a nice value of its
/// own). A failure leaves it as it was.
void lower_thread_priority() {
  (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 19);
}

} // namespace

subtask_actor::subtask_actor(caf::actor_config& cfg, subtask_setup setup)
    : caf::event_based_actor(cfg), setup_(std::move(setup)),
      counters_(*setup_.counters), metrics_on_(setup_.config->metrics_interval_ms > 0) {
  build_gates();
  const auto& v = setup_.plan->vertices().at(static_cast<std::size_t>(setup_.vertex));
  counters_.task = v.name + " (" + std::to_string(setup_.subtask + 1) + "/" +
                   std::to_string(v.parallelism) + ")";
  log_prefix_ = "[" + setup_.job_name + "] " + counters_.task;
  counters_.vertex = setup_.vertex;
  counters_.subtask = setup_.subtask;
  if (setup_.config->source_rate > 0)
    rate_per_subtask_ = setup_.config->source_rate / v.parallelism;
}

void subtask_actor::build_gates() {
  layout_ = channel_layout::of(*setup_.plan, setup_.vertex, setup_.subtask);
  const auto& config = *setup_.config;
  output_.emplace(static_cast<int>(layout_.outputs.size()), config.batch_bytes,
                  config.buffer_timeout_ms == 0, static_cast<gate_transport&>(*this),
                  counters_);
  input_.emplace(static_cast<int>(layout_.inputs.size()), config.exclusive_credits,
                 config.floating_credits, [this](int ch, int n) { send_credit(ch, n); },
                 counters_);
  watermarks_.reset();
  alignment_.reset();
  if (!layout_.inputs.empty()) {
    watermarks_.emplace(layout_.inputs);
    if (config.watermark_alignment_ms > 0)
      alignment_.emplace(config.watermark_alignment_ms);
  }
}

std::optional<int> subtask_actor::channel_of_current(std::int32_t wire) const {
  if (generation_of(wire) == generation_of(wire_channel(setup_.generation, 0)))
    return channel_of(wire);
  return std::nullopt;
}

int subtask_actor::current_channel(std::int32_t wire, const char* what) const {
  if (auto ch = channel_of_current(wire))
    return *ch;
  // Senders emit nothing between a rescale's checkpoint and the rewiring that follows it.
  throw protocol_error(std::string(what) + " of wiring generation " +
                       std::to_string(generation_of(wire)) + " at a subtask of generation " +
                       std::to_string(generation_of(wire_channel(setup_.generation, 0))));
}

caf::behavior subtask_actor::make_behavior() {
  return {
      [this](start_msg& msg) { guarded([&] { start(msg); }); },
      [this](batch_msg& msg) {
        guarded([&] {
          const auto ch = current_channel(msg.channel, "batch");
          input_->check_channel(ch, "batch");
          if (checkpointer_)
            checkpointer_->on_batch_arrived(ch, msg.bytes, msg.records);
          input_->on_batch(ch, std::move(msg.bytes), msg.records, msg.backlog);
          process_input();
        });
      },
      [this](const event_msg& msg) {
        guarded([&] {
          const auto ch = current_channel(msg.channel, "event");
          const auto kind = input_->event_kind_of(ch, msg.kind);
          // Before start_msg (no checkpointer yet) a barrier queues like any event.
          if (kind == event_kind::barrier && checkpointer_)
            checkpointer_->on_barrier_arrived(ch, msg.value, now_ms());
          else
            input_->on_event(ch, kind, msg.value);
          process_input();
        });
      },
      [this](const data_connection_lost_msg& msg) {
        guarded([&] { on_data_connection_lost(msg); });
      },
      [this](const credit_msg& msg) {
        // A credit of the wiring before a rescale in place: that channel is gone.
        const auto ch = channel_of_current(msg.channel);
        if (!ch)
          return;
        guarded([&] {
          output_->add_credit(*ch, msg.credits);
          if (!output_->available())
            return;
          if (chain_ && chain_->source())
            schedule_source_step();
          else
            process_input();
          maybe_finish();
        });
      },
      [this](input_atom) {
        input_scheduled_ = false;
        guarded([&] { take_input(); });
      },
      [this](continue_atom) {
        step_scheduled_ = false;
        guarded([&] { source_step(); });
      },
      [this](wakeup_atom, std::int64_t time_ms) {
        if (time_ms == next_wakeup_ms_)
          next_wakeup_ms_ = max_watermark;
        // CAF's timer runs on the steady clock: a wake-up before the clock passed its time
        // is armed again, its timers wait for it.
        if (now_ms() <= time_ms)
          wake_at(time_ms);
        else if (!stopped()) // else the checkpointer's resume catches up
          guarded([&] { fire_processing_timers(); });
      },
      [this](watermark_tick_atom) {
        if (done())
          return;
        if (!stopped())
          guarded([&] { chain_->on_periodic_watermark(); });
        arm_watermark_timer();
      },
      [this](alignment_timeout_atom, std::int64_t id) {
        guarded([&] {
          checkpointer_->on_alignment_timeout(id, now_ms());
          process_input();
        });
      },
      [this](const trigger_checkpoint_msg& msg) { guarded([&] { on_trigger(msg); }); },
      [this](const checkpoint_ended_msg& msg) { guarded([&] { on_checkpoint_ended(msg); }); },
      [this](close_subtask_atom) { guarded([&] { close_and_quit(); }); },
      [this](const prepare_handoff_msg& msg) { guarded([&] { prepare_handoff(msg); }); },
      [this](const rewire_msg& msg) -> caf::result<rewired_atom> {
        guarded([&] { rewire(msg); });
        if (done())
          return caf::make_error(caf::sec::runtime_error, "subtask " + counters_.task +
                                                              " failed to rewire");
        return rewired_atom::value;
      },
      [this](resume_subtask_atom) { guarded([&] { resume(); }); },
      [this](publish_metrics_atom) {
        if (done())
          return;
        guarded([&] { publish_metrics(); });
        arm_publish_timer();
      },
      [this](flush_tick_atom) {
        if (done())
          return;
        guarded([&] { output_->flush_all(); });
        arm_flush_timer();
      },
  };
}

void subtask_actor::on_exit() {
  if (setup_.data_plane)
    setup_.data_plane->remove_receiver(id());
  setup_.data_plane = nullptr;
  outputs_.clear();
  inputs_.clear();
  chain_.reset();
  setup_.job_manager = nullptr;
}

std::int64_t subtask_actor::now_ms() const {
  if (setup_.clock)
    return setup_.clock();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void subtask_actor::wake_at(std::int64_t time_ms) {
  if (time_ms >= next_wakeup_ms_ || done())
    return;
  next_wakeup_ms_ = time_ms;
  auto delay = std::max<std::int64_t>(0, time_ms + 1 - now_ms());
  delayed_send(this, std::chrono::milliseconds(delay), wakeup_atom::value, time_ms);
}

void subtask_actor::fire_processing_timers() {
  // A timer at t fires once the clock passed t (as Flink): while the clock reads t, a record
  // still belongs to the window whose last millisecond is t.
  chain_->on_processing_time(now_ms() - 1);
}

void subtask_actor::send_batch(int channel, std::vector<char>&& bytes, std::uint32_t records,
                               std::int32_t backlog) {
  const auto c = static_cast<std::size_t>(channel);
  const auto wire = wire_channel(setup_.generation, layout_.outputs[c].peer_channel);
  outputs_[c].send(*this, batch_msg{wire, backlog, records, std::move(bytes)});
}

void subtask_actor::send_event(int channel, event_kind kind, std::int64_t value) {
  const auto c = static_cast<std::size_t>(channel);
  outputs_[c].send(*this,
                   event_msg{wire_channel(setup_.generation, layout_.outputs[c].peer_channel),
                             static_cast<std::uint8_t>(kind), value});
}

void subtask_actor::send_credit(int channel, int credits) {
  const auto c = static_cast<std::size_t>(channel);
  const auto wire = wire_channel(setup_.generation, layout_.inputs[c].peer_channel);
  inputs_[c].send(*this, credit_msg{wire, credits});
}

channel_route subtask_actor::route_to(const caf::actor& peer, const std::string& address) {
  // A null peer: an upstream subtask here that finished before this one started (CAF makes
  // the handle of a local actor gone null).
  if (!setup_.data_plane || address.empty() || address == setup_.data_plane->address() || !peer)
    return {peer, nullptr};
  return {peer, setup_.data_plane->open(address, id())};
}

void subtask_actor::on_data_connection_lost(const data_connection_lost_msg& msg) {
  bool open = false;
  for (std::size_t ch = 0; ch < inputs_.size(); ++ch)
    open |= inputs_[ch].through(msg.peer) && !input_->ended(int(ch));
  for (const auto& output : outputs_)
    open |= output.through(msg.peer) && !input_finished();
  if (!open)
    return;
  if (!msg.confirmed) {
    delayed_send(this, std::chrono::milliseconds(setup_.config->cluster.heartbeat_timeout_ms),
                 data_connection_lost_msg{msg.peer, msg.why, true});
    return;
  }
  throw std::runtime_error("the data connection with the task manager at " + msg.peer +
                           " ended (" + msg.why + ") and the job manager did not cancel the "
                           "subtask within --heartbeat-timeout-ms");
}

void subtask_actor::connect(const start_msg& msg) {
  if (layout_.inputs.size() >= max_channels || layout_.outputs.size() >= max_channels)
    throw config_error("subtask " + counters_.task + " would have more than " +
                       std::to_string(max_channels - 1) + " input or output channels");
  const auto& plan = *setup_.plan;
  std::vector<std::size_t> offset;
  std::size_t total = 0;
  for (const auto& v : plan.vertices()) {
    offset.push_back(total);
    total += static_cast<std::size_t>(v.parallelism);
  }
  auto index = [&](const channel_peer& p) {
    return offset[static_cast<std::size_t>(p.vertex)] + static_cast<std::size_t>(p.subtask);
  };
  auto handle = [&](const channel_peer& p) { return msg.subtasks.at(index(p)); };
  auto address = [&](const channel_peer& p) {
    return index(p) < msg.data_addresses.size() ? msg.data_addresses[index(p)] : std::string();
  };
  outputs_.clear();
  inputs_.clear();
  for (const auto& p : layout_.outputs) {
    outputs_.push_back(route_to(handle(p), address(p)));
    if (outputs_.back().peer().node() != system().node())
      output_->set_batch_bytes(static_cast<int>(outputs_.size() - 1),
                               setup_.config->remote_batch_bytes);
  }
  for (const auto& p : layout_.inputs)
    inputs_.push_back(route_to(handle(p), address(p)));
}

void subtask_actor::start(const start_msg& msg) {
  connect(msg);
  init_local_recovery();
  std::optional<checkpoint_metadata> restored;
  std::map<std::string, local_keyed_copy> local_copies;
  std::vector<std::string> fetched;
  if (!setup_.restore.empty()) {
    phase_ = lifecycle::restoring;
    restored = read_metadata_file(setup_.restore);
    if (local_)
      local_copies = local_->restore_copies(*restored);
    if (!setup_.handoff.empty())
      take_handoff(*restored, fetched);
  }
  chain_.emplace(*setup_.plan, setup_.vertex, setup_.subtask, setup_.job_name, *output_, layout_,
                 static_cast<processing_time_service&>(*this), *setup_.config,
                 restored ? &*restored : nullptr, &local_copies);
  if (const int ingested = setup_.handoff.empty() ? 0 : chain_->restored_from_moves()) {
    count_handoff_restores({0, 0, 0, ingested});
    log()->info("{}: the key groups moved from {} old subtask(s) were ingested from files those "
                "prepared before the stop",
                log_prefix_, ingested);
  }
  // The restored backends hold what they read (RocksDB: hard links into their instances).
  for (const auto& dir : fetched) {
    std::error_code ec;
    std::filesystem::remove_all(std::filesystem::path(dir).parent_path(), ec);
  }
  phase_ = lifecycle::opening;
  init_checkpointing();

  chain_->open();
  publish_metrics();
  arm_publish_timer();
  if (restored)
    replay_in_flight(*restored);
  phase_ = lifecycle::running;
  started_at_ = std::chrono::steady_clock::now();
  counters_.started_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  log()->debug("{}: started with {} input and {} output channels", log_prefix_,
               inputs_.size(), outputs_.size());
  input_->start();
  arm_flush_timer();
  if (setup_.plan->assigns_timestamps(setup_.vertex))
    arm_watermark_timer();
  if (chain_->source()) {
    record_backlog();
    schedule_source_step();
  } else if (input_->channel_count() == 0)
    finish_input();
  else // events upstream subtasks sent before the job manager's start_msg reached this one
    process_input();
}

void subtask_actor::process_input() {
  if (phase_ < lifecycle::running)
    return;
  if (checkpointer_->paces_input()) {
    // Input is taken one batch per input_atom, queued behind the messages (barriers) that
    // arrived before it, so that a barrier never waits for the batches queued ahead of it.
    schedule_input();
    return;
  }
  take_input();
}

void subtask_actor::take_input() {
  while (!input_finished() && output_->available() && input_->has_input()) {
    auto item = input_->next();
    if (item.is_event) {
      on_input_event(item);
    } else {
      input_->send_grants(); // the credit this batch freed travels before it is processed
      const auto& peer = layout_.inputs[static_cast<std::size_t>(item.channel)];
      busy_clock busy(metrics_on_, counters_);
      counters_.bytes_in.add(item.bytes.size());
      counters_.records_in.add(chain_->process_batch(item.bytes.data(), item.bytes.size(),
                                                     peer.timestamped, peer.input));
      buffer_pool::process().give(std::move(item.bytes));
      if (checkpointer_->paces_input()) {
        schedule_input();
        break;
      }
    }
  }
  maybe_finish();
}

void subtask_actor::schedule_input() {
  if (input_scheduled_ || input_finished() || !input_->has_input())
    return;
  input_scheduled_ = true;
  send(this, input_atom::value);
}

void subtask_actor::on_input_event(const input_item& item) {
  auto& watermarks = *watermarks_;
  input_watermarks::change change;
  switch (item.kind) {
    case event_kind::watermark:
      change = watermarks.on_watermark(item.channel, item.value);
      break;
    case event_kind::idle:
      change = watermarks.on_idle(item.channel);
      break;
    case event_kind::active:
      change = watermarks.on_active(item.channel);
      break;
    case event_kind::end_of_input:
      checkpointer_->on_end_of_partition(item.channel, now_ms());
      change = watermarks.on_end_of_input(item.channel);
      break;
    case event_kind::barrier:
      checkpointer_->on_barrier_taken(item.channel, item.value, now_ms());
      break;
  }
  if (alignment_ && item.kind != event_kind::barrier)
    alignment_->update(watermarks, *input_);
  if (change.idle) {
    input_idle_ = *change.idle;
    chain_->process_watermark_status(*change.idle);
  }
  if (change.watermark && *change.watermark > watermark_floor_) {
    counters_.input_watermark.set(*change.watermark);
    chain_->process_watermark(*change.watermark);
  }
  if (item.kind == event_kind::end_of_input && input_->all_ended())
    finish_input();
}

void subtask_actor::schedule_source_step() {
  if (step_scheduled_ || input_finished() || done() || stopped())
    return;
  step_scheduled_ = true;
  send(this, continue_atom::value);
}

void subtask_actor::source_step() {
  if (input_finished() || stopped() || !output_->available())
    return;
  auto budget = source_step_records;
  if (rate_per_subtask_ > 0) {
    auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_at_);
    auto allowed = static_cast<std::uint64_t>(rate_per_subtask_ * elapsed.count()) + 1;
    if (allowed <= emitted_) {
      auto wait_us = std::ceil(1e6 * static_cast<double>(emitted_ + 1 - allowed) /
                               rate_per_subtask_);
      step_scheduled_ = true;
      delayed_send(this, std::chrono::microseconds(static_cast<std::int64_t>(wait_us) + 1),
                   continue_atom::value);
      return;
    }
    budget = std::min<std::size_t>(budget, allowed - emitted_);
  }
  busy_clock busy(metrics_on_, counters_);
  auto* src = chain_->source();
  auto status = source_status::more;
  auto first = src->emitted();
  while (src->emitted() - first < budget && output_->available() && status == source_status::more) {
    auto n = std::min<std::uint64_t>(source_poll_records, budget - (src->emitted() - first));
    auto before = src->emitted();
    run_naming(chain_->head_name(), [&] { status = src->emit(static_cast<std::size_t>(n)); });
    if (src->emitted() == before)
      break;
  }
  emitted_ = src->emitted();
  counters_.records_in.add(emitted_ - first);
  record_backlog();
  if (status == source_status::finished) {
    finish_input();
  } else if (status == source_status::idle) {
    step_scheduled_ = true;
    delayed_send(this, std::chrono::milliseconds(5), continue_atom::value);
  } else if (output_->available()) {
    schedule_source_step();
  }
}

void subtask_actor::record_backlog() {
  const auto backlog = chain_->source()->backlog();
  counters_.pending_records.set(backlog.pending_records);
  counters_.pending_bytes.set(backlog.pending_bytes);
  counters_.input_bytes.set(backlog.input_bytes);
  counters_.bytes_read.set(backlog.bytes_read);
}

void subtask_actor::finish_input() {
  if (input_finished())
    return;
  phase_ = lifecycle::input_finished;
  if (chain_->source())
    chain_->process_watermark(max_watermark); // a finished source: no later record follows
  chain_->end_input();
  output_->emit_event(event_kind::end_of_input, 0);
  maybe_finish();
}

void subtask_actor::maybe_finish() {
  if (phase_ != lifecycle::input_finished || !output_->drained())
    return;
  if (!setup_.config->checkpointing.enabled()) {
    close_and_quit();
  } else {
    // The final checkpoint commits what the sinks wrote last; the job manager then closes us.
    phase_ = lifecycle::finish_reported;
    send(setup_.job_manager, input_finished_msg{setup_.vertex, setup_.subtask});
  }
}

void subtask_actor::close_and_quit() {
  publish_metrics();
  phase_ = lifecycle::done;
  chain_->close();
  counters_.finished = true;
  log()->debug("{}: finished", log_prefix_);
  send(setup_.job_manager, subtask_done_msg{setup_.vertex, setup_.subtask});
  // What is left runs on this subtask's own thread (a detached actor's): on_exit frees its
  // state (caches, RocksDB instances and their directories). At the lowest priority, so that it
  // does not slow the subtasks that take over at the same moment (a rescale's successors).
  lower_thread_priority();
  quit();
}

void subtask_actor::arm_watermark_timer() {
  // Idleness is detected on this timer too, so it runs even when watermarks follow every record.
  auto ms = setup_.config->watermark_interval_ms;
  if (!done())
    delayed_send(this, std::chrono::milliseconds(ms > 0 ? ms : 200), watermark_tick_atom::value);
}

void subtask_actor::publish_metrics() {
  chain_->metrics(counters_.records_in.get(), metrics_scratch_);
  counters_.publish(metrics_scratch_);
}

void subtask_actor::arm_publish_timer() {
  if (metrics_on_ && !done())
    delayed_send(this, std::chrono::milliseconds(setup_.config->metrics_interval_ms),
                 publish_metrics_atom::value);
}

void subtask_actor::arm_flush_timer() {
  auto ms = setup_.config->buffer_timeout_ms;
  if (ms > 0 && output_->channel_count() > 0 && !done())
    delayed_send(this, std::chrono::milliseconds(ms), flush_tick_atom::value);
}

template <class F>
void subtask_actor::guarded(F&& f) {
  if (done())
    return;
  try {
    f();
    input_->send_grants();
  } catch (const operator_failure& e) {
    const auto& v = setup_.plan->vertices().at(static_cast<std::size_t>(setup_.vertex));
    fail("operator '" + e.operator_name + "' (subtask " + std::to_string(setup_.subtask + 1) +
         "/" + std::to_string(v.parallelism) + ") failed: " + e.what());
  } catch (const std::exception& e) {
    fail("subtask " + counters_.task + " failed: " + e.what());
  }
}

void subtask_actor::fail(const std::string& error) {
  const bool restoring = phase_ == lifecycle::restoring;
  phase_ = lifecycle::done;
  log()->info("[{}] {}", setup_.job_name, error);
  send(setup_.job_manager, subtask_failed_msg{setup_.vertex, setup_.subtask, error,
                                              restoring ? setup_.restore : std::string()});
  quit(caf::sec::runtime_error);
}

} // namespace sluice
