// word_count: the rolling count of every word of a text, as lines "word,count".
//
//   word_count [--input PATH] [--output DIR] [--parallelism N] [common flags]
//
// Lines are split on non-letters and lower-cased. Without --input it counts a built-in text;
// without --output it prints to stdout.

#include "builtin_text.hpp"

#include <sluice/sluice.hpp>

#include <cctype>
#include <cstdint>
#include <iostream>
#include <string>
#include <utility>

namespace {

using word_count_t = std::pair<std::string, std::int64_t>;

void split_words(const std::string& line, sluice::collector<std::string>& out) {
  std::string word;
  for (char c : line) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalpha(u)) {
      word.push_back(static_cast<char>(std::tolower(u)));
    } else if (!word.empty()) {
      out.collect(std::move(word));
      word.clear();
    }
  }
  if (!word.empty())
    out.collect(std::move(word));
}

} // namespace

int main(int argc, char** argv) {
  sluice::environment env{argc, argv,
                          {{"input", "text file or directory of text files to count", {}, false},
                           {"output", "directory for the part-<subtask> files (default: stdout)",
                            {}, false}}};
  try {
    auto input = env.flag("input");
    auto lines = input ? env.from_source(sluice::text_file_source{*input}, "lines of " + *input)
                       : env.from_source(sluice::collection_source<std::string>{
                                             word_count::builtin_text()},
                                         "built-in text");
    auto counts = lines
                      .flat_map([](std::string line, sluice::collector<std::string>& out) {
                        split_words(line, out);
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
