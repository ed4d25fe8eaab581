#pragma once
// The end of a networked process's connections to its peers, without what CAF 0.17.6 leaves
// behind. Compiled without UBSan's vptr check (actors/CMakeLists.txt): it runs CAF's inline
// mailbox code, which casts a queue's sentinel node to a mailbox element.

#include <caf/actor_system.hpp>

namespace sluice {

/// Stops CAF's BASP broker (the process's connections to its peers) and empties its mailbox, as
/// CAF does for every other actor. CAF 0.17.6 stops the broker without that step
/// (`abstract_broker::cleanup` skips `scheduled_actor::cleanup`), so a message left there, such as
/// a down message for a remote monitor, keeps a remote actor's proxy, which keeps the broker:
/// neither is freed, and LeakSanitizer reports them at exit. The exit message is handled in
/// mailbox order, so what this process's actors sent before is sent on first. The broker consumes
/// no message once terminated, so this thread is then its mailbox's only reader. Bounded: a
/// partitioned peer must not keep the process from ending.
void stop_remote_messaging(caf::actor_system& system);

} // namespace sluice
