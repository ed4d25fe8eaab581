#pragma once
// The Nexmark queries, written with Sluice's DataStream API. Each takes the stream of events
// (timestamps = date_time, watermark date_time - 4 s) and returns its result as CSV rows;
// docs/nexmark.md gives every query's semantics and output format.

#include "events.hpp"

#include <sluice/sluice.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nexmark {

/// One CSV line of a query's result. `emitted_ns`: when the generator emitted the newest event
/// the line derives from (0 if unknown), for latency figures.
struct row {
  std::string line;
  std::int64_t emitted_ns = 0;
  SLUICE_FIELDS(line, emitted_ns)
};

/// The queries build_query knows, in order (q0, q1, ...).
const std::vector<std::string>& query_names();

/// Throws sluice::config_error naming `name` unless it is one of query_names().
void require_query(const std::string& name);

/// Adds query `name` over `events` to their job; throws sluice::config_error naming an unknown
/// query.
sluice::data_stream<row> build_query(const std::string& name, sluice::data_stream<event> events);

/// The watermark strategy of every query: timestamps from date_time, watermarks 4 s behind.
sluice::watermark_strategy<event> event_time_strategy();

// -- building blocks shared by the query files ------------------------------------------------

inline void append_value(std::string& out, const std::string& s) { out += s; }
inline void append_value(std::string& out, const char* s) { out += s; }
inline void append_value(std::string& out, std::int64_t v) { out += std::to_string(v); }

/// Values joined by commas (integers and strings).
template <class... Ts> std::string csv(const Ts&... values) {
  std::string out;
  bool first = true;
  ((out += first ? "" : ",", first = false, append_value(out, values)), ...);
  return out;
}

/// price * 0.908 with three decimals, in integers: price*908/1000 "." price*908%1000.
std::string euros(std::int64_t price);

/// The UTC date of `epoch_ms` as YYYY-MM-DD, and with the time as YYYY-MM-DD HH:MM:SS.
std::string utc_date(std::int64_t epoch_ms);
std::string utc_date_time(std::int64_t epoch_ms);

/// The price range of q15, q16 and q17: 1 below 10,000, 2 below 1,000,000, else 3.
std::int32_t price_range(std::int64_t price);

/// q13's side input: the value of key 0..9999 (a bounded table joined by auction % 10000).
std::string side_input_value(std::int64_t key);

/// Start of the tumbling window of `size` ms holding `ts`.
inline std::int64_t window_start(std::int64_t ts, std::int64_t size) {
  return ts - ((ts % size) + size) % size;
}

/// The line of one bid in the queries that look at one bid at a time (none: filtered out).
using bid_line_fn = std::optional<std::string> (*)(const bid&);
std::optional<std::string> q0_line(const bid& b);
std::optional<std::string> q1_line(const bid& b);
std::optional<std::string> q2_line(const bid& b);
std::optional<std::string> q10_line(const bid& b);
std::optional<std::string> q13_line(const bid& b);
std::optional<std::string> q14_line(const bid& b);
std::optional<std::string> q21_line(const bid& b);
std::optional<std::string> q22_line(const bid& b);

/// The bids of `events` through `fn`.
sluice::data_stream<row> per_bid_query(sluice::data_stream<event> events, bid_line_fn fn,
                                       const std::string& name);

sluice::data_stream<row> query_q0(sluice::data_stream<event> events);
sluice::data_stream<row> query_q1(sluice::data_stream<event> events);
sluice::data_stream<row> query_q2(sluice::data_stream<event> events);
sluice::data_stream<row> query_q3(sluice::data_stream<event> events);
sluice::data_stream<row> query_q4(sluice::data_stream<event> events);
sluice::data_stream<row> query_q5(sluice::data_stream<event> events);
sluice::data_stream<row> query_q7(sluice::data_stream<event> events);
sluice::data_stream<row> query_q8(sluice::data_stream<event> events);
sluice::data_stream<row> query_q9(sluice::data_stream<event> events);
sluice::data_stream<row> query_q10(sluice::data_stream<event> events);
sluice::data_stream<row> query_q11(sluice::data_stream<event> events);
sluice::data_stream<row> query_q12(sluice::data_stream<event> events);
sluice::data_stream<row> query_q13(sluice::data_stream<event> events);
sluice::data_stream<row> query_q14(sluice::data_stream<event> events);
sluice::data_stream<row> query_q15(sluice::data_stream<event> events);
sluice::data_stream<row> query_q16(sluice::data_stream<event> events);
sluice::data_stream<row> query_q17(sluice::data_stream<event> events);
sluice::data_stream<row> query_q18(sluice::data_stream<event> events);
sluice::data_stream<row> query_q19(sluice::data_stream<event> events);
sluice::data_stream<row> query_q20(sluice::data_stream<event> events);
sluice::data_stream<row> query_q21(sluice::data_stream<event> events);
sluice::data_stream<row> query_q22(sluice::data_stream<event> events);

} // namespace nexmark
