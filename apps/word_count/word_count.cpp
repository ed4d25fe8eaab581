// word_count: the rolling count of every word of a text, as lines "word,count".
//
//   word_count [--input PATH | --socket HOST:PORT] [--output DIR] [--parallelism N] [flags]
//
// Lines are split on non-letters and lower-cased. Without --input or --socket it counts a
// built-in text; without --output it prints to stdout.

#include "builtin_text.hpp"
#include "split_words.hpp"

#include <sluice/sluice.hpp>

#include <cstdlib>
#include <cstdint>
#include <iostream>
#include <stdexcept>
#include <string>
#include <utility>

namespace {

using word_count_t = std::pair<std::string, std::int64_t>;

/// The lines to count: a file or directory, a socket, or the built-in text.
sluice::data_stream<std::string> read_lines(sluice::environment& env) {
  if (auto input = env.flag("input"))
    return env.from_source(sluice::text_file_source{*input}, "lines of " + *input);
  if (auto socket = env.flag("socket")) {
    auto colon = socket->rfind(':');
    char* end = nullptr;
    auto port = colon == std::string::npos ? 0 : std::strtoul(socket->c_str() + colon + 1, &end, 10);
    if (port == 0 || port > 65535 || *end != '\0')
      throw std::invalid_argument("flag --socket: '" + *socket + "' is not HOST:PORT");
    return env.from_source(
        sluice::socket_text_source{socket->substr(0, colon), static_cast<std::uint16_t>(port)},
        "socket " + *socket);
  }
  return env.from_source(sluice::collection_source<std::string>{word_count::builtin_text()},
                         "built-in text");
}

} // namespace

int main(int argc, char** argv) {
  sluice::environment env{argc, argv,
                          {{"input", "text file or directory of text files to count", {}, false},
                           {"socket", "read lines from HOST:PORT until it closes", {}, false},
                           {"output", "directory for the part-<subtask> files (default: stdout)",
                            {}, false}}};
  try {
    auto lines = read_lines(env);
    auto counts = lines
                      .flat_map([](std::string line, sluice::collector<std::string>& out) {
                        word_count::split_words(line, out);
                      }, "split words")
                      .map([](std::string word) { return word_count_t{std::move(word), 1}; },
                           "pair with 1")
                      .key_by([](const word_count_t& wc) { return wc.first; })
                      .sum<1>();
    if (auto output = env.flag("output"))
      counts.sink_to(sluice::text_file_sink<word_count_t>{*output}, "files in " + *output);
    else
      counts.sink_to(sluice::print_sink<word_count_t>{}, "stdout");
    return env.execute("word count").exit_code();
  } catch (const std::exception& e) {
    std::cerr << "word_count: error: " << e.what() << '\n';
    return 1;
  }
}
