#pragma once
// Shared by the fuzz targets: a property check that aborts (libFuzzer reports it as a crash,
// with the input), a scratch file per process, and a batch reader's round trip.

#include "sluice/operators/plan/stream_type.hpp"
#include "sluice/state/serialization.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace fuzz {

/// Aborts with `what` unless `ok`: a broken property is a finding like a crash.
inline void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz property violated: %s\n", what);
    std::abort();
  }
}

/// Where scratch files go without $TMPDIR: the memory-backed /dev/shm where there is one (the
/// state files' writers fsync, which on a disk costs more than the parse a target is for).
inline const char* default_scratch_dir() {
  struct stat st {};
  return stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : "/tmp";
}

/// A file of this process under $TMPDIR (or default_scratch_dir()), rewritten for every input.
inline const std::string& scratch_path(const char* name) {
  static const std::string path = [&] {
    const char* dir = std::getenv("TMPDIR");
    return std::string(dir && *dir ? dir : default_scratch_dir()) + "/sluice-fuzz-" +
           std::to_string(getpid()) + "-" + name;
  }();
  return path;
}

inline void write_file(const std::string& path, const char* data, std::size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data, static_cast<std::streamsize>(size));
  require(static_cast<bool>(out), "the scratch file can be written");
}

/// Collects every record of a batch.
template <class T>
struct record_sink final : sluice::collector<T> {
  std::vector<T> records;
  void collect(T&& v) override { records.push_back(std::move(v)); }
  void emit_watermark(std::int64_t) override {}
};

/// Reads `data` as one batch of T records (with timestamps if `stamped`), as a subtask reads a
/// received batch. A malformed batch must throw serialization_error; a batch that reads must
/// give records whose byte form reads back to the same records: the same bytes, or with
/// `by_value` (unordered containers, whose byte order follows their buckets) equal records.
template <class T, bool by_value = false>
void read_batch(const char* data, std::size_t size, bool stamped) {
  auto reader = sluice::stream_type_of<T>().make_batch_reader();
  record_sink<T> sink;
  sluice::timestamp_slot slot;
  std::size_t n = 0;
  try {
    n = reader->read(data, size, sink, stamped ? &slot : nullptr);
  } catch (const sluice::serialization_error&) {
    return;
  }
  require(n == sink.records.size(), "read() counts the records it collects");
  // The records' byte form (canonical, unlike the input's varints) reads back the same.
  std::vector<char> once;
  {
    sluice::byte_writer w(once);
    for (const auto& r : sink.records)
      sluice::serialize(w, r);
  }
  record_sink<T> again;
  const auto m = reader->read(once.data(), once.size(), again, nullptr);
  require(m == n, "the records' byte form reads back as as many records");
  if constexpr (by_value) {
    require(again.records == sink.records, "the records' byte form reads back to equal records");
  } else {
    std::vector<char> twice;
    {
      sluice::byte_writer w(twice);
      for (const auto& r : again.records)
        sluice::serialize(w, r);
    }
    require(once == twice, "the records' byte form reads back to the same records");
  }
}

/// One batch reader of a target, as read_batch<T> instantiates it.
using read_fn = void (*)(const char*, std::size_t, bool);

/// Reads `data` with the reader its first byte picks (bits 1..7, modulo N) and a timestamp slot
/// if that byte is odd: the entry point of the batch targets.
template <std::size_t N>
void read_picked(const read_fn (&readers)[N], const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return;
  const auto pick = data[0];
  readers[(pick >> 1) % N](reinterpret_cast<const char*>(data + 1), size - 1, (pick & 1) != 0);
}

} // namespace fuzz
