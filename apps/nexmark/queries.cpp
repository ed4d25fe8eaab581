#include "queries.hpp"

#include <chrono>
#include <ctime>
#include <map>

namespace nexmark {
namespace {

using builder = sluice::data_stream<row> (*)(sluice::data_stream<event>);

const std::map<std::string, builder>& builders() {
  static const std::map<std::string, builder> all{
      {"q0", query_q0},   {"q1", query_q1},   {"q2", query_q2},   {"q3", query_q3},
      {"q4", query_q4},   {"q5", query_q5},   {"q7", query_q7},   {"q8", query_q8},
      {"q9", query_q9},   {"q10", query_q10}, {"q11", query_q11}, {"q12", query_q12},
      {"q13", query_q13}, {"q14", query_q14}, {"q15", query_q15}, {"q16", query_q16},
      {"q17", query_q17}, {"q18", query_q18}, {"q19", query_q19}, {"q20", query_q20},
      {"q21", query_q21}, {"q22", query_q22}};
  return all;
}

} // namespace

const std::vector<std::string>& query_names() {
  static const std::vector<std::string> names{"q0",  "q1",  "q2",  "q3",  "q4",  "q5",
                                              "q7",  "q8",  "q9",  "q10", "q11", "q12",
                                              "q13", "q14", "q15", "q16", "q17", "q18",
                                              "q19", "q20", "q21", "q22"};
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

namespace nexmark {

std::string utc_date_time(std::int64_t epoch_ms) {
  const std::time_t seconds = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
  return text;
}

std::string utc_date(std::int64_t epoch_ms) { return utc_date_time(epoch_ms).substr(0, 10); }

} // namespace nexmark
