// The pool that recycles batch buffers: which buffer a take() gets, and the bound on what it keeps.

#include "sluice/actors/buffer_pool.hpp"

#include <doctest/doctest.h>

#include <thread>
#include <vector>

using sluice::buffer_pool;

namespace {

/// A buffer of exactly `capacity` bytes of capacity, `size` of them in use.
std::vector<char> buffer(std::size_t capacity, std::size_t size) {
  std::vector<char> v;
  v.reserve(capacity);
  v.resize(size, 'b');
  REQUIRE(v.capacity() == capacity);
  return v;
}

} // namespace

TEST_CASE("buffer pool: a new buffer has an eighth more room than asked, and no bytes") {
  buffer_pool pool(1 << 20);
  auto v = pool.take(8000);
  CHECK(v.empty());
  CHECK(v.capacity() == 9000);
  CHECK(pool.kept_bytes() == 0);
}

TEST_CASE("buffer pool: take gets the smallest fitting buffer, the last given first") {
  buffer_pool pool(1 << 20);
  auto small = buffer(1000, 10);
  auto fits_a = buffer(5000, 20);
  auto fits_b = buffer(5000, 30);
  auto large = buffer(20000, 40);
  const char* b = fits_b.data();
  const char* a = fits_a.data();
  pool.give(std::move(small));
  pool.give(std::move(large));
  pool.give(std::move(fits_a));
  pool.give(std::move(fits_b));
  CHECK(pool.kept_bytes() == 31000);
  auto first = pool.take(4000);
  CHECK(first.data() == b);      // 5000 is the smallest capacity >= 4000; b was given last
  CHECK(first.size() == 30);     // it holds what it held
  CHECK(pool.take(4000).data() == a);
  CHECK(pool.kept_bytes() == 21000);
  // 20000 is more than twice 4000 plus a page: a new buffer rather than a large one.
  auto fresh = pool.take(4000);
  CHECK(fresh.capacity() == 4500);
  CHECK(pool.take(9000).capacity() == 20000); // within 2 * 9000 + 4096
  CHECK(pool.take(500).capacity() == 1000);
  CHECK(pool.kept_bytes() == 0);
}

TEST_CASE("buffer pool: keeps at most its bound, frees the rest; trim frees all") {
  buffer_pool pool(10000);
  pool.give(buffer(6000, 0));
  pool.give(buffer(3000, 0));
  CHECK(pool.kept_bytes() == 9000);
  pool.give(buffer(2000, 0)); // 11000 would pass the bound
  CHECK(pool.kept_bytes() == 9000);
  pool.give(std::vector<char>{}); // no memory to keep
  CHECK(pool.kept_bytes() == 9000);
  pool.give(buffer(1000, 0));
  CHECK(pool.kept_bytes() == 10000);
  pool.trim();
  CHECK(pool.kept_bytes() == 0);
  CHECK(pool.take(1000).capacity() == 1125);
}

TEST_CASE("buffer pool: buffers given and taken on several threads are all accounted for") {
  buffer_pool pool(std::size_t{1} << 30);
  constexpr int threads = 4;
  constexpr int rounds = 2000;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&pool, t] {
      for (int i = 0; i < rounds; ++i) {
        auto v = pool.take(static_cast<std::size_t>(4096 * (1 + (i + t) % 3)));
        v.resize(v.capacity());
        pool.give(std::move(v));
      }
    });
  for (auto& w : workers)
    w.join();
  // Every buffer was given back; what is kept is the capacity of the buffers now in the pool,
  // each a new allocation of 4608, 9216 or 13824 bytes (an eighth more than asked).
  const auto kept = pool.kept_bytes();
  std::size_t counted = 0;
  for (std::size_t capacity : {13824, 9216, 4608}) {
    while (true) {
      auto v = pool.take(capacity);
      if (v.capacity() != capacity) // a new buffer: none of that capacity is left
        break;
      counted += v.capacity();
    }
  }
  CHECK(counted > 0);
  CHECK(counted == kept);
  CHECK(pool.kept_bytes() == 0);
}
