// Batches between processes: how CAF serializes batch_msg.

#include "sluice/actors/messages.hpp"

#include "sluice/actors/buffer_pool.hpp"

#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/stream_deserializer.hpp>
#include <caf/stream_serializer.hpp>
#include <caf/streambuf.hpp>

#include <doctest/doctest.h>

#include <vector>

using namespace sluice;

namespace {

batch_msg sample_batch() {
  batch_msg m{3, 1, 2, {}};
  for (int i = 0; i < 1000; ++i)
    m.bytes.push_back(static_cast<char>(i * 7));
  return m;
}

void check_equal(const batch_msg& got, const batch_msg& sent) {
  CHECK(got.channel == sent.channel);
  CHECK(got.backlog == sent.backlog);
  CHECK(got.records == sent.records);
  CHECK(got.bytes == sent.bytes);
}

} // namespace

TEST_CASE("batch_msg keeps the wire format of its fields, bytes as a std::vector<char>") {
  auto m = sample_batch();
  std::vector<char> as_batch;
  caf::binary_serializer{nullptr, as_batch}(m);
  std::vector<char> as_fields;
  caf::binary_serializer{nullptr, as_fields}(m.channel, m.backlog, m.records, m.bytes);
  CHECK(as_batch == as_fields);
}

TEST_CASE("batch_msg loads from CAF's binary deserializer (copied out of the buffer)") {
  auto m = sample_batch();
  std::vector<char> buf;
  caf::binary_serializer{nullptr, buf}(m);
  batch_msg got;
  got.bytes.assign(5, 'x'); // replaced, not appended to
  caf::binary_deserializer in{nullptr, buf};
  CHECK_FALSE(in(got));
  CHECK(in.remaining() == 0);
  check_equal(got, m);
  // A truncated buffer is an error, not a read past its end.
  buf.resize(buf.size() - 1);
  caf::binary_deserializer truncated{nullptr, buf};
  CHECK(truncated(got));
}

TEST_CASE("batch_msg from CAF's binary deserializer is copied into a pooled buffer") {
  auto m = sample_batch();
  std::vector<char> buf;
  caf::binary_serializer{nullptr, buf}(m);
  buffer_pool::process().trim();
  std::vector<char> recycled(2000, 'y'); // a batch some subtask has read
  const char* memory = recycled.data();
  buffer_pool::process().give(std::move(recycled));
  batch_msg got;
  caf::binary_deserializer in{nullptr, buf};
  CHECK_FALSE(in(got));
  check_equal(got, m); // the 1000 bytes sent, none of the recycled ones after them
  CHECK(got.bytes.data() == memory);
  CHECK(buffer_pool::process().kept_bytes() == 0);
}

TEST_CASE("batch_msg loads from any other CAF deserializer") {
  auto m = sample_batch();
  std::vector<char> buf;
  caf::vectorbuf out_buf{buf};
  caf::stream_serializer<caf::vectorbuf&>{out_buf}(m);
  batch_msg got;
  caf::charbuf in_buf{buf.data(), buf.size()};
  caf::stream_deserializer<caf::charbuf&> in{in_buf};
  CHECK_FALSE(in(got));
  check_equal(got, m);
}

TEST_CASE("a batch_msg destroyed with its bytes (serialized to another process) pools them") {
  buffer_pool::process().trim();
  const char* memory = nullptr;
  {
    auto m = sample_batch();
    memory = m.bytes.data();
    std::vector<char> buf;
    caf::binary_serializer{nullptr, buf}(m);
  }
  CHECK(buffer_pool::process().kept_bytes() > 0);
  CHECK(buffer_pool::process().take(1000).data() == memory);
  {
    auto m = sample_batch();
    auto taken = std::move(m.bytes); // as the receiving subtask takes them
  }
  CHECK(buffer_pool::process().kept_bytes() == 0);
}
