#include "sluice/actors/messages.hpp"

#include "sluice/actors/buffer_pool.hpp"

#include <caf/binary_deserializer.hpp>

namespace sluice {

caf::error inspect(caf::deserializer& f, batch_payload& x) {
  std::size_t size = 0;
  if (auto err = f.begin_sequence(size))
    return err;
  auto* in = dynamic_cast<caf::binary_deserializer*>(&f);
  if (in && in->remaining() < size) // a corrupt size: never allocate more than was received
    return caf::sec::end_of_stream;
  if (in) {
    const auto* first = reinterpret_cast<const char*>(in->remainder().data());
    x.bytes = buffer_pool::process().take(size);
    x.bytes.assign(first, first + size);
    in->skip(size);
  } else {
    x.bytes.resize(size);
    if (auto err = size > 0 ? f.apply_raw(size, x.bytes.data()) : caf::error{})
      return err;
  }
  return f.end_sequence();
}

void register_messages(caf::actor_system_config& cfg) {
  cfg.add_message_type<batch_msg>("sluice::batch_msg");
  cfg.add_message_type<event_msg>("sluice::event_msg");
  cfg.add_message_type<credit_msg>("sluice::credit_msg");
  cfg.add_message_type<data_connection_lost_msg>("sluice::data_connection_lost_msg");
  cfg.add_message_type<deploy_msg>("sluice::deploy_msg");
  cfg.add_message_type<start_msg>("sluice::start_msg");
  cfg.add_message_type<rewire_msg>("sluice::rewire_msg");
  cfg.add_message_type<handoff_copy_msg>("sluice::handoff_copy_msg");
  cfg.add_message_type<handoff_listing_msg>("sluice::handoff_listing_msg");
  cfg.add_message_type<handoff_read_msg>("sluice::handoff_read_msg");
  cfg.add_message_type<handoff_chunk_msg>("sluice::handoff_chunk_msg");
  cfg.add_message_type<drop_handoff_msg>("sluice::drop_handoff_msg");
  cfg.add_message_type<prepare_handoff_msg>("sluice::prepare_handoff_msg");
  cfg.add_message_type<handoff_prepared_msg>("sluice::handoff_prepared_msg");
  cfg.add_message_type<subtask_done_msg>("sluice::subtask_done_msg");
  cfg.add_message_type<subtask_failed_msg>("sluice::subtask_failed_msg");
  cfg.add_message_type<input_finished_msg>("sluice::input_finished_msg");
  cfg.add_message_type<trigger_checkpoint_msg>("sluice::trigger_checkpoint_msg");
  cfg.add_message_type<checkpoint_ack_msg>("sluice::checkpoint_ack_msg");
  cfg.add_message_type<checkpoint_decline_msg>("sluice::checkpoint_decline_msg");
  cfg.add_message_type<checkpoint_ended_msg>("sluice::checkpoint_ended_msg");
  cfg.add_message_type<register_task_manager_msg>("sluice::register_task_manager_msg");
  cfg.add_message_type<subtask_metrics>("sluice::subtask_metrics");
  cfg.add_message_type<std::vector<subtask_metrics>>("std::vector<sluice::subtask_metrics>");
  cfg.add_message_type<task_manager_report>("sluice::task_manager_report");
  cfg.add_message_type<savepoint_request_msg>("sluice::savepoint_request_msg");
  cfg.add_message_type<rescale_request_msg>("sluice::rescale_request_msg");
  cfg.add_message_type<job_overview>("sluice::job_overview");
  cfg.add_message_type<std::vector<job_overview>>("std::vector<sluice::job_overview>");
  cfg.add_message_type<subtask_status>("sluice::subtask_status");
  cfg.add_message_type<job_details>("sluice::job_details");
  cfg.add_message_type<task_manager_info>("sluice::task_manager_info");
  cfg.add_message_type<std::vector<task_manager_info>>("std::vector<sluice::task_manager_info>");
  cfg.add_message_type<std::vector<caf::actor>>("std::vector<caf::actor>");
}

} // namespace sluice
