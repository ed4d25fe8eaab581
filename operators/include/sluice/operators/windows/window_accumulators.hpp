#pragma once
// The window operator's fast path on the heap backend: for tumbling and sliding event-time
// windows with the default trigger and an incremental function (reduce or aggregate), the
// common case, window_operator keeps the accumulator of each (key, window) in this typed
// open-addressing table of its own — one slot per (key, window), found with one cache miss
// that batch-at-a-time processing prefetches, where the generic path hashes and compares the
// byte form of key and window in the backend's state table and registers timers per element.
// All windows have the assigner's size, so a slot keeps the window's end only (a 64-bit key
// and a 16-byte accumulator fill 32 bytes); an end of INT64_MIN marks a free slot (an end is
// always above the timestamps of its window, which are at least INT64_MIN; assigners throw on
// ends that overflow).
//
// The table joins snapshots as a participant named like the contents state ("window-contents")
// and written in that state's heap form (value_state_sections), so its snapshots restore into
// the generic path's state on either backend (RocksDB always runs the generic path) and the
// generic path's snapshots restore into it. The timers stay in the trigger context's queues.

#include "sluice/operators/windows/time_window.hpp"
#include "sluice/operators/windows/window_contents.hpp"
#include "sluice/state/flat_hash_map.hpp"
#include "sluice/state/keyed_state_backend.hpp"
#include "sluice/state/value_state_sections.hpp"

#include <cstdint>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>

namespace sluice::windows_detail {

/// Whether contents policy C is incremental and offers the accumulator interface
/// (accumulator_type, state_descriptor, first, accumulate, emit_accumulator).
template <class C, class = void> struct accumulates : std::false_type {};
template <class C>
struct accumulates<C, std::void_t<typename C::accumulator_type>> : std::true_type {};

/// The accumulators (Acc) of every (key, window) of one subtask; D is the descriptor of the
/// contents state whose heap form the snapshots take.
template <class K, class Acc, class D>
class window_accumulators final : public keyed_snapshot_participant {
public:
  /// Registers with `backend`, taking the contents restored into it; every window is
  /// `window_size` long.
  void open(keyed_state_backend& backend, std::int64_t window_size) {
    max_parallelism_ = backend.max_parallelism();
    window_size_ = window_size;
    backend.register_participant(contents_state_name, *this, sections::signature());
  }

  /// The accumulator of (key, window), or nullptr.
  Acc* find(const K& key, const time_window& window) { return table_.find(view{&key, window.end}); }
  /// Adds (key, window), which has no accumulator yet, with `acc`; returns where it lives.
  Acc* insert(const K& key, const time_window& window, Acc&& acc) {
    return table_.try_emplace(view{&key, window.end}, std::move(acc)).first;
  }
  void erase(const K& key, const time_window& window) { table_.erase(view{&key, window.end}); }
  /// Starts loading the slot of (key, window) into the cache.
  void prefetch(const K& key, const time_window& window) const {
    table_.prefetch(view{&key, window.end});
  }

  void write_snapshot(key_group_sink& out) override {
    sections::write(out, max_parallelism_, [&](auto&& f) {
      table_.for_each([&](const entry& e, const Acc& acc) {
        f(e.key, time_window{e.end - window_size_, e.end}, acc);
      });
    });
  }
  /// Throws state_error for a window of another size (the job's window size changed).
  void read_key_group(int, byte_reader& in) override {
    sections::read(in, [&](K&& key, time_window&& window, Acc&& acc) {
      if (window.end - window.start != window_size_) {
        std::ostringstream os;
        os << "window_operator: restored window " << window << " is not " << window_size_
           << " ms long, as the operator's windows are (the window size changed?)";
        throw state_error(os.str());
      }
      insert(key, window, std::move(acc));
    });
  }
  std::optional<std::size_t> entry_count() const override { return table_.size(); }

private:
  using sections = value_state_sections<K, Acc, D, time_window>;

  static constexpr std::int64_t free_end = std::numeric_limits<std::int64_t>::min();

  /// A lookup key: the key by pointer, so a lookup copies nothing.
  struct view {
    const K* key;
    std::int64_t end;
  };
  struct entry {
    K key{};
    std::int64_t end = free_end;
    entry() = default;
    explicit entry(const view& v) : key(*v.key), end(v.end) {}
    bool occupied() const { return end != free_end; }
    bool operator==(const view& v) const { return end == v.end && key == *v.key; }
  };
  struct entry_hash {
    std::uint64_t operator()(const entry& e) const { return of(e.key, e.end); }
    std::uint64_t operator()(const view& v) const { return of(*v.key, v.end); }
    static std::uint64_t of(const K& key, std::int64_t end) {
      return key_hash(key) + static_cast<std::uint64_t>(end) * 0x9E3779B97F4A7C15ULL;
    }
  };

  flat_hash_map<entry, Acc, entry_hash> table_;
  int max_parallelism_ = 0;
  std::int64_t window_size_ = 0;
};

} // namespace sluice::windows_detail
