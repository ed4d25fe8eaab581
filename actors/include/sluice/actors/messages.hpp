#pragma once
// Every runtime message of Sluice, by protocol, and the one place that registers them all:
// call register_messages() in every actor_system_config (same names on every node).
//
// In-band (same ordered channel as the data): batch_msg, event_msg (data_plane_messages.hpp).
// Out-of-band: credit_msg, and the messages of deployment_messages.hpp (deployment, lifecycle,
// the cluster), checkpoint_messages.hpp and query_messages.hpp (clients of the job manager).

#include "sluice/actors/checkpoint_messages.hpp"
#include "sluice/actors/data_plane_messages.hpp"
#include "sluice/actors/deployment_messages.hpp"
#include "sluice/actors/query_messages.hpp"

#include <caf/actor_system_config.hpp>

namespace sluice {

/// Registers every message of the four headers above under its name.
void register_messages(caf::actor_system_config& cfg);

} // namespace sluice
