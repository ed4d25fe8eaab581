// Stopping CAF's BASP broker with its mailbox emptied (basp_shutdown.hpp).

#include "basp_shutdown.hpp"

#include "sluice/operators/core/logging.hpp"

#include <caf/detail/sync_request_bouncer.hpp>
#include <caf/io/basp_broker.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>

#include <chrono>

namespace sluice {

void stop_remote_messaging(caf::actor_system& system) {
  auto basp = system.middleman().named_broker<caf::io::basp_broker>(caf::atom("BASP"));
  caf::scoped_actor self{system};
  self->monitor(basp);
  self->send_exit(basp, caf::exit_reason::user_shutdown);
  bool stopped = false;
  self->receive([&](const caf::down_msg&) { stopped = true; },
                caf::after(std::chrono::seconds(2)) >> [] {});
  if (!stopped) {
    log()->debug("CAF's network broker did not stop within 2 s");
    return;
  }
  auto* actor = caf::actor_cast<caf::abstract_actor*>(basp);
  auto& broker = *static_cast<caf::io::abstract_broker*>(actor);
  auto& mailbox = broker.mailbox();
  if (mailbox.closed())
    return;
  mailbox.close();
  broker.get_normal_queue().flush_cache();
  broker.get_urgent_queue().flush_cache();
  caf::detail::sync_request_bouncer bounce{caf::exit_reason::user_shutdown};
  while (mailbox.queue().new_round(1000, bounce).consumed_items)
    ; // each round answers or drops up to 1000 messages
}

} // namespace sluice
