#include "sluice/state/keyed_state_backend.hpp"

#include <string>

namespace sluice {

const char* to_string(state_kind kind) {
  switch (kind) {
    case state_kind::value:
      return "value";
    case state_kind::list:
      return "list";
    case state_kind::map:
      return "map";
    case state_kind::reducing:
      return "reducing";
    case state_kind::aggregating:
      return "aggregating";
  }
  return "unknown";
}

keyed_state_base* keyed_state_backend::find_registered(const std::string& name,
                                                       const std::string& signature) const {
  auto it = states_.find(name);
  if (it == states_.end()) {
    if (participants_.count(name))
      throw state_error("operator '" + owner_ + "': state '" + name +
                        "' clashes with an internal state of the operator; choose another name");
    return nullptr;
  }
  if (it->second.signature != signature)
    throw state_error("operator '" + owner_ + "': state '" + name + "' is registered as " +
                      it->second.signature + " and again as " + signature +
                      "; one name must keep one kind and type");
  return it->second.state.get();
}

void keyed_state_backend::add_registered(const std::string& name, const std::string& signature,
                                         std::unique_ptr<keyed_state_base> state) {
  states_[name] = registered{signature, std::move(state)};
}

void keyed_state_backend::register_participant(const std::string& name,
                                               keyed_snapshot_participant& p) {
  if (states_.count(name) || participants_.count(name))
    throw state_error("operator '" + owner_ + "': internal state '" + name +
                      "' is registered twice");
  participants_[name] = &p;
}

void keyed_state_backend::throw_foreign_key_group(int key_group) const {
  throw state_error("operator '" + owner_ + "': a key of key group " + std::to_string(key_group) +
                    " reached the subtask that owns key groups " + std::to_string(range_.first) +
                    ".." + std::to_string(range_.last));
}

} // namespace sluice
