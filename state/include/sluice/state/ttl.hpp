#pragma once
// State time-to-live (Flink's StateTtlConfig): an entry expires `ttl_ms` after its last update
// (and, with update_type::on_read_and_write, its last read). Expired entries are never returned
// and are removed: on snapshot, incrementally on access (heap), by a compaction filter (RocksDB).

#include <atomic>
#include <cstdint>

namespace sluice {

/// The clock TTL reads; tests use manual_ttl_clock to make expiry deterministic.
class ttl_clock {
public:
  virtual ~ttl_clock() = default;
  virtual std::int64_t now_ms() const = 0;
};

/// Wall-clock time in milliseconds since the epoch.
class system_ttl_clock final : public ttl_clock {
public:
  std::int64_t now_ms() const override;
  /// The process-wide instance.
  static const ttl_clock& instance();
};

/// A clock that moves only when told (thread-safe: RocksDB compactions read it too).
class manual_ttl_clock final : public ttl_clock {
public:
  explicit manual_ttl_clock(std::int64_t start_ms = 0) : now_(start_ms) {}
  std::int64_t now_ms() const override { return now_.load(); }
  void advance(std::int64_t ms) { now_ += ms; }
  void set(std::int64_t ms) { now_ = ms; }

private:
  std::atomic<std::int64_t> now_;
};

struct ttl_config {
  enum class update_type {
    on_create_and_write, ///< the timestamp moves on writes only (Flink's default)
    on_read_and_write    ///< reads refresh it too
  };
  std::int64_t ttl_ms = 0; ///< 0: no TTL
  update_type update = update_type::on_create_and_write;

  bool enabled() const { return ttl_ms > 0; }
  /// True if an entry last stamped at `stamp_ms` has expired at `now_ms`.
  bool expired(std::int64_t stamp_ms, std::int64_t now_ms) const {
    return enabled() && now_ms - stamp_ms >= ttl_ms;
  }
};

} // namespace sluice
