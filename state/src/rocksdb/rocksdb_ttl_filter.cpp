// Expiry of RocksDB state: a compaction filter that drops expired values and map entries and
// rewrites lists without their expired elements, so that expired state leaves the disk without
// being read. It reads each column family's format from a table the backend fills as states
// register (or as a restore brings their column families back), and the backend's clock.

#include "rocksdb_internal.hpp"

#include "sluice/state/rocksdb/rocksdb_layout.hpp"

namespace sluice {

void column_format_table::set(std::uint32_t cf_id, rocksdb_column_format format) {
  std::lock_guard<std::mutex> lock(mutex_);
  formats_[cf_id] = format;
}

rocksdb_column_format column_format_table::get(std::uint32_t cf_id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = formats_.find(cf_id);
  return it == formats_.end() ? rocksdb_column_format{} : it->second;
}

namespace {

bool live(std::string_view payload, std::int64_t ttl_ms, std::int64_t now_ms) {
  return !ttl_config{ttl_ms}.expired(rocksdb_layout::read_stamp(payload), now_ms);
}

} // namespace

std::size_t live_entries(rocksdb_column_format format, std::string_view value,
                         std::int64_t now_ms) {
  if (format.kind != state_kind::list)
    return format.ttl_ms == 0 || live(value, format.ttl_ms, now_ms) ? 1 : 0;
  std::size_t n = 0;
  rocksdb_layout::for_each_element(value, [&](std::string_view element) {
    n += format.ttl_ms == 0 || live(element, format.ttl_ms, now_ms) ? 1 : 0;
  });
  return n;
}

namespace {

class ttl_filter final : public rocksdb::CompactionFilter {
public:
  ttl_filter(rocksdb_column_format format, const ttl_clock& clock)
      : format_(format), clock_(clock) {}

  // Merge operands are list appends, runs of elements like a stored list, so both are filtered
  // alike.
  Decision FilterV2(int, const rocksdb::Slice&, ValueType type, const rocksdb::Slice& value,
                    std::string* new_value, std::string*) const override {
    if (type == ValueType::kBlobIndex)
      return Decision::kKeep;
    try {
      return decide({value.data(), value.size()}, *new_value);
    } catch (const serialization_error&) {
      // Never drop what cannot be read: a read reports it instead of a compaction thread.
      return Decision::kKeep;
    }
  }

  const char* Name() const override { return "sluice.ttl"; }

private:
  Decision decide(std::string_view value, std::string& new_value) const {
    const auto now = clock_.now_ms();
    const auto n = live_entries(format_, value, now);
    if (n == 0)
      return Decision::kRemove;
    if (format_.kind != state_kind::list)
      return Decision::kKeep;
    std::size_t total = 0;
    rocksdb_layout::for_each_element(value, [&](std::string_view) { ++total; });
    if (n == total)
      return Decision::kKeep;
    new_value.clear();
    rocksdb_layout::for_each_element(value, [&](std::string_view element) {
      if (live(element, format_.ttl_ms, now))
        rocksdb_layout::append_element(new_value, element);
    });
    return Decision::kChangeValue;
  }

  rocksdb_column_format format_;
  const ttl_clock& clock_;
};

class ttl_filter_factory final : public rocksdb::CompactionFilterFactory {
public:
  ttl_filter_factory(std::shared_ptr<const column_format_table> formats, const ttl_clock& clock)
      : formats_(std::move(formats)), clock_(clock) {}

  std::unique_ptr<rocksdb::CompactionFilter>
  CreateCompactionFilter(const rocksdb::CompactionFilter::Context& context) override {
    auto format = formats_->get(context.column_family_id);
    if (format.ttl_ms == 0)
      return nullptr;
    return std::make_unique<ttl_filter>(format, clock_);
  }

  const char* Name() const override { return "sluice.ttl"; }

private:
  std::shared_ptr<const column_format_table> formats_;
  const ttl_clock& clock_;
};

} // namespace

std::shared_ptr<rocksdb::CompactionFilterFactory>
make_ttl_filter_factory(std::shared_ptr<const column_format_table> formats,
                        const ttl_clock& clock) {
  return std::make_shared<ttl_filter_factory>(std::move(formats), clock);
}

} // namespace sluice
