#pragma once
// keyed_state_backend::get_state, which returns a registered state or creates it in the backend
// that runs; it needs both backends, so they come with it. Operators include this header.

#include "sluice/state/heap/heap_keyed_state_backend.hpp"
#include "sluice/state/keyed_state_backend.hpp"
#include "sluice/state/rocksdb/rocksdb_keyed_state_backend.hpp"

#include <memory>
#include <string>

namespace sluice {

template <class D>
state_interface_t<D>& keyed_state_backend::get_state(const D& d) {
  const std::string signature = state_type_signature<D>();
  if (auto* existing = find_registered(d.name, signature))
    return static_cast<state_interface_t<D>&>(*existing);
  std::unique_ptr<state_interface_t<D>> made =
      kind() == state_backend_kind::heap
          ? make_heap_state(static_cast<heap_keyed_state_backend&>(*this), d)
          : make_rocksdb_state(static_cast<rocksdb_keyed_state_backend&>(*this), d);
  auto& state = *made;
  add_registered(d.name, signature, std::move(made));
  return state;
}

} // namespace sluice
