#pragma once
// What the typed keyed tables (keyed_table.hpp, keyed_namespace_table.hpp, and the window
// operator's sessions) share: off the heap, the backend's state that holds their values (a
// value state, or a reducing state read and written as one), used for the current key and
// namespace; on the heap, a value made only when an insertion needs it.

#include "sluice/state/get_keyed_state.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::detail {

/// Converts to init() only when the heap table inserts (flat_hash_map::try_emplace).
template <class V, class Init> struct lazy_value {
  Init& init;
  operator V() const { return init(); }
};

/// Off the heap: makes `key` the backend's current key and `ns` its current namespace (its byte
/// form, written into `scratch`; none for nullptr).
template <class K, class N>
void use_key_namespace(keyed_state_backend& backend, const K& key, const N* ns,
                       std::vector<char>& scratch) {
  backend.set_current_key(key);
  if (ns == nullptr) {
    backend.set_current_namespace({});
    return;
  }
  {
    byte_writer w(scratch, 0);
    serialize(w, *ns);
  }
  backend.set_current_namespace(std::string_view(scratch.data(), scratch.size()));
}

/// The state of descriptor D (value or reducing) of a table off the heap, read and written as
/// one value of the backend's current key and namespace. A reducing state is made with a
/// reduce function that keeps the newer value, so add() writes a value as update() does; its
/// descriptor's kind and type make the snapshot's signature.
template <class D> class table_state {
public:
  using value_type = typename D::value_type;

  /// Attaches a table to `backend` under `name`: on the heap, `heap_table` joins snapshots in
  /// the heap form of the state (`signature`); elsewhere this opens the state. Returns whether
  /// the table is on the heap.
  bool open(keyed_state_backend& backend, const std::string& name,
            keyed_snapshot_participant& heap_table, const std::string& signature) {
    if (backend.kind() == state_backend_kind::heap) {
      backend.register_participant(name, heap_table, signature);
      return true;
    }
    if constexpr (D::kind == state_kind::reducing)
      state_ =
          &backend.get_state(D(name, [](const value_type&, const value_type& v) { return v; }));
    else
      state_ = &backend.get_state(D(name));
    return false;
  }

  /// Makes the current value init() if there is none, else applies update(value&) to it;
  /// returns the value now held, valid until the next call.
  template <class Init, class Update> const value_type& upsert(Init&& init, Update&& update) {
    std::optional<value_type> held = get();
    if (held)
      update(*held);
    else
      held.emplace(init());
    put(*held);
    last_ = std::move(*held);
    return last_;
  }
  /// The current value, or nullptr; valid until the next call.
  const value_type* find() {
    std::optional<value_type> held = get();
    if (!held)
      return nullptr;
    last_ = std::move(*held);
    return &last_;
  }
  /// Makes the current value `v`.
  void put(const value_type& v) {
    if constexpr (D::kind == state_kind::reducing)
      state_->add(v);
    else
      state_->update(v);
  }
  void erase() { state_->clear(); }

private:
  std::optional<value_type> get() {
    if constexpr (D::kind == state_kind::reducing)
      return state_->get();
    else
      return state_->value();
  }

  state_interface_t<D>* state_ = nullptr;
  value_type last_{};
};

} // namespace sluice::detail
