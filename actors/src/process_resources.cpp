#include "process_resources.hpp"

#include "sluice/actors/buffer_pool.hpp"
#include "sluice/state/rocksdb/rocksdb_keyed_state_backend.hpp"

#include <fstream>

#include <sys/resource.h>
#include <unistd.h>

namespace sluice {

std::uint64_t process_rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size = 0;
  std::uint64_t resident = 0;
  if (!(statm >> size >> resident))
    return 0;
  return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

std::uint64_t process_cpu_ms() {
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) != 0)
    return 0;
  auto ms = [](const timeval& t) {
    return static_cast<std::uint64_t>(t.tv_sec) * 1000 + static_cast<std::uint64_t>(t.tv_usec) / 1000;
  };
  return ms(usage.ru_utime) + ms(usage.ru_stime);
}

task_manager_report process_report(const job_config& config, int slots) {
  const auto& pool = buffer_pool::process();
  task_manager_report r;
  r.slots = slots;
  r.rss_bytes = process_rss_bytes();
  r.cpu_ms = process_cpu_ms();
  r.pool_kept_bytes = pool.kept_bytes();
  r.pool_max_bytes = pool.max_bytes();
  if (const auto& rocksdb = config.state.rocksdb_resources) {
    const auto memory = rocksdb_memory(*rocksdb);
    r.rocksdb = true;
    r.rocksdb_block_cache_bytes = memory.block_cache_bytes;
    r.rocksdb_memtable_bytes = memory.memtable_bytes;
  }
  return r;
}

} // namespace sluice
