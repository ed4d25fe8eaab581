#include "queries.hpp"

#include <chrono>
#include <map>

namespace nexmark {
namespace {

using builder = sluice::data_stream<row> (*)(sluice::data_stream<event>);

const std::map<std::string, builder>& builders() {
  static const std::map<std::string, builder> all{
      {"q0", query_q0},   {"q1", query_q1},   {"q2", query_q2},   {"q3", query_q3},
      {"q4", query_q4},   {"q5", query_q5},   {"q7", query_q7},   {"q8", query_q8},
      {"q9", query_q9},   {"q11", query_q11}, {"q14", query_q14}, {"q17", query_q17},
      {"q21", query_q21}, {"q22", query_q22}};
  return all;
}

} // namespace

const std::vector<std::string>& query_names() {
  static const std::vector<std::string> names{"q0", "q1",  "q2",  "q3",  "q4",  "q5",  "q7",
                                              "q8", "q9", "q11", "q14", "q17", "q21", "q22"};
  return names;
}

void require_query(const std::string& name) {
  if (builders().count(name) == 0) {
    std::string known;
    for (const auto& n : query_names())
      known += (known.empty() ? "" : ", ") + n;
    throw sluice::config_error("flag --query: unknown query '" + name + "' (known: " + known +
                               ")");
  }
}

sluice::data_stream<row> build_query(const std::string& name, sluice::data_stream<event> events) {
  require_query(name);
  return builders().at(name)(std::move(events));
}

sluice::watermark_strategy<event> event_time_strategy() {
  return sluice::watermark_strategy<event>::for_bounded_out_of_orderness(std::chrono::seconds(4))
      .with_timestamp_assigner([](const event& e, std::int64_t) { return e.date_time(); });
}

std::string euros(std::int64_t price) {
  const std::int64_t cents = price * 908;
  std::string fraction = std::to_string(cents % 1000);
  return std::to_string(cents / 1000) + '.' + std::string(3 - fraction.size(), '0') + fraction;
}

} // namespace nexmark
