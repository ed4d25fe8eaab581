#pragma once
// The window operator's fast path for tumbling and sliding event-time windows with the default
// trigger and an incremental function (reduce or aggregate), the common case: window_operator
// keeps the accumulator of each (key, window) in a typed table of state/
// (keyed_namespace_table.hpp) instead of the contents state, and registers timers once per
// (key, window) instead of per element. On the heap the table's slot is found with one cache
// miss that batch-at-a-time processing prefetches, where the generic path hashes and compares
// the byte form of key and window in the backend's state table; on RocksDB it is the contents
// state itself. All windows have the assigner's size, so a heap slot keeps the window's end
// only (a 64-bit key and a 16-byte accumulator fill 32 bytes); an end is never INT64_MIN
// (it is above the timestamps of its window; assigners throw on ends that overflow).
//
// The table is named like the contents state ("window-contents") and has that state's form,
// so its snapshots restore into the generic path's state on either backend and the generic
// path's snapshots restore into it. The timers stay in the trigger context's queues.

#include "sluice/operators/windows/time_window.hpp"
#include "sluice/operators/windows/window_contents.hpp"
#include "sluice/state/keyed_namespace_table.hpp"
#include "sluice/state/state_error.hpp"

#include <cstdint>
#include <sstream>
#include <type_traits>

namespace sluice::windows_detail {

/// Whether contents policy C is incremental and offers the accumulator interface
/// (accumulator_type, state_descriptor, first, accumulate, emit_accumulator).
template <class C, class = void> struct accumulates : std::false_type {};
template <class C>
struct accumulates<C, std::void_t<typename C::accumulator_type>> : std::true_type {};

/// Windows of one size packed into their end (keyed_namespace_table's packing).
struct window_end_packing {
  std::int64_t size = 0;

  std::int64_t pack(const time_window& w) const { return w.end; }
  time_window unpack(std::int64_t end) const { return {end - size, end}; }
  /// Throws state_error for a window of another size (the job's window size changed).
  void check(const time_window& w) const {
    if (w.end - w.start == size)
      return;
    std::ostringstream os;
    os << "window_operator: restored window " << w << " is not " << size
       << " ms long, as the operator's windows are (the window size changed?)";
    throw state_error(os.str());
  }
};

/// The accumulators (Acc) of every (key, window) of one subtask, in the form of the contents
/// state of descriptor D.
template <class K, class Acc, class D>
using window_accumulators = keyed_namespace_table<K, time_window, Acc, D, window_end_packing>;

} // namespace sluice::windows_detail
