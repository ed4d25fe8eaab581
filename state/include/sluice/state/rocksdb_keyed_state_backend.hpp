#pragma once
// SKELETON — replaced by the rocksdb backend's implementation (this placeholder only lets the
// other backend build while both are written in parallel).

#include "sluice/state/keyed_state_backend.hpp"

#include <memory>

namespace sluice {

class rocksdb_keyed_state_backend : public keyed_state_backend {};

template <class D>
std::unique_ptr<state_interface_t<D>> make_rocksdb_state(rocksdb_keyed_state_backend&, const D& d) {
  throw state_error("the rocksdb backend is not built yet (state '" + d.name + "')");
}

} // namespace sluice
