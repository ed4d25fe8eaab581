// A main for a fuzz target built without libFuzzer (the gcc build's ctest): runs the target
// once on every file of the directories given, as `fuzz_TARGET FILE...` would, so that the
// regression inputs and seeds of tests/fuzz are replayed by every CI run.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  int files = 0;
  for (int i = 1; i < argc; ++i) {
    if (!fs::is_directory(argv[i])) {
      std::cerr << "replay: '" << argv[i] << "' is not a directory\n";
      return 2;
    }
    for (const auto& entry : fs::directory_iterator(argv[i])) {
      std::ifstream in(entry.path(), std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
      std::cout << "replay " << entry.path().string() << " (" << bytes.size() << " bytes)\n";
      LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
      ++files;
    }
  }
  std::cout << "replayed " << files << " inputs without a finding\n";
  return files > 0 ? 0 : 1;
}
