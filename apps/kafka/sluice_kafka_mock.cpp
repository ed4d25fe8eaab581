// sluice_kafka_mock: librdkafka's mock Kafka cluster (rdkafka_mock.h) in its own process, so that
// jobs can be killed while the broker lives on.
//
//   sluice_kafka_mock [--brokers N] [--topic NAME:PARTITIONS]...
//
// The first line on stdout is `bootstrap.servers=HOST:PORT[,HOST:PORT...]`; it serves until
// SIGTERM or SIGINT (a closed stdin does not stop it). Commands read from stdin, one per line, inject faults;
// each is answered by one line `ok <command>` or `error <reason>`:
//   down BROKER              the broker (1..N) closes its connections and refuses new ones
//   up BROKER                the broker serves again
//   rtt BROKER MS            the broker delays its responses by MS
//   error APIKEY CODE [COUNT] the next COUNT (1) requests of API APIKEY fail with error CODE
//   topic-error NAME CODE    metadata requests for the topic return error CODE (0 clears it)
//   topic NAME:PARTITIONS    creates a topic (or adds nothing if it exists)
//   leader NAME PARTITION BROKER   moves a partition's leader

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <poll.h>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

namespace {

volatile std::sig_atomic_t stop_requested = 0;
extern "C" void on_signal(int) { stop_requested = 1; }

struct topic_spec {
  std::string name;
  int partitions = 1;
};

int parse_int(const std::string& text, const std::string& what, int min) {
  char* end = nullptr;
  long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v < min || v > 1000000)
    throw std::invalid_argument(what + ": '" + text + "' is not an integer >= " +
                                std::to_string(min));
  return static_cast<int>(v);
}

topic_spec parse_topic(const std::string& text, const std::string& what) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0)
    throw std::invalid_argument(what + ": '" + text + "' is not NAME:PARTITIONS");
  return {text.substr(0, colon), parse_int(text.substr(colon + 1), what, 1)};
}

struct options {
  int brokers = 3;
  std::vector<topic_spec> topics;
};

options parse_options(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc)
        throw std::invalid_argument("flag " + arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--brokers")
      o.brokers = parse_int(value(), "flag --brokers", 1);
    else if (arg == "--topic")
      o.topics.push_back(parse_topic(value(), "flag --topic"));
    else if (arg == "--help") {
      std::cout << "usage: sluice_kafka_mock [--brokers N] [--topic NAME:PARTITIONS]...\n";
      std::exit(0);
    } else
      throw std::invalid_argument("unknown flag " + arg);
  }
  return o;
}

struct handle_deleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
struct cluster_deleter {
  void operator()(rd_kafka_mock_cluster_t* c) const { rd_kafka_mock_cluster_destroy(c); }
};

/// Runs one fault-injection command; returns the reply line.
std::string run_command(rd_kafka_mock_cluster_t* cluster, int brokers, const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> w;
  for (std::string s; in >> s;)
    w.push_back(s);
  if (w.empty())
    return "error empty command";
  auto broker = [&](const std::string& s) {
    auto id = parse_int(s, "broker", 1);
    if (id > brokers)
      throw std::invalid_argument("no broker " + s + " (brokers 1.." + std::to_string(brokers) + ")");
    return static_cast<int32_t>(id);
  };
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  const auto& cmd = w[0];
  if (cmd == "down" && w.size() == 2)
    err = rd_kafka_mock_broker_set_down(cluster, broker(w[1]));
  else if (cmd == "up" && w.size() == 2)
    err = rd_kafka_mock_broker_set_up(cluster, broker(w[1]));
  else if (cmd == "rtt" && w.size() == 3)
    err = rd_kafka_mock_broker_set_rtt(cluster, broker(w[1]), parse_int(w[2], "rtt", 0));
  else if (cmd == "error" && (w.size() == 3 || w.size() == 4)) {
    auto api = static_cast<int16_t>(parse_int(w[1], "api key", 0));
    auto code = static_cast<rd_kafka_resp_err_t>(parse_int(w[2], "error code", 1));
    auto count = w.size() == 4 ? parse_int(w[3], "count", 1) : 1;
    std::vector<rd_kafka_resp_err_t> errors(static_cast<std::size_t>(count), code);
    rd_kafka_mock_push_request_errors_array(cluster, api, errors.size(), errors.data());
  } else if (cmd == "topic-error" && w.size() == 3)
    rd_kafka_mock_topic_set_error(cluster, w[1].c_str(),
                                  static_cast<rd_kafka_resp_err_t>(parse_int(w[2], "code", 0)));
  else if (cmd == "topic" && w.size() == 2) {
    auto t = parse_topic(w[1], "topic");
    err = rd_kafka_mock_topic_create(cluster, t.name.c_str(), t.partitions, 1);
  } else if (cmd == "leader" && w.size() == 4)
    err = rd_kafka_mock_partition_set_leader(cluster, w[1].c_str(),
                                             parse_int(w[2], "partition", 0), broker(w[3]));
  else
    return "error unknown command '" + line + "' (down|up|rtt|error|topic-error|topic|leader)";
  if (err)
    return "error " + line + ": " + rd_kafka_err2str(err);
  return "ok " + line;
}

} // namespace

int main(int argc, char** argv) {
  try {
    auto opts = parse_options(argc, argv);
    char errstr[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
      throw std::runtime_error(errstr);
    std::unique_ptr<rd_kafka_t, handle_deleter> rk(
        rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr));
    if (!rk)
      throw std::runtime_error(std::string("cannot create a librdkafka handle: ") + errstr);
    std::unique_ptr<rd_kafka_mock_cluster_t, cluster_deleter> cluster(
        rd_kafka_mock_cluster_new(rk.get(), opts.brokers));
    if (!cluster)
      throw std::runtime_error("cannot create a mock cluster of " + std::to_string(opts.brokers) +
                               " brokers");
    for (const auto& t : opts.topics)
      if (auto err = rd_kafka_mock_topic_create(cluster.get(), t.name.c_str(), t.partitions, 1))
        throw std::runtime_error("cannot create topic '" + t.name + "': " + rd_kafka_err2str(err));
    std::signal(SIGTERM, on_signal);
    std::signal(SIGINT, on_signal);
    std::cout << "bootstrap.servers=" << rd_kafka_mock_cluster_bootstraps(cluster.get())
              << std::endl;
    std::string pending;
    bool stdin_open = true;
    while (!stop_requested) {
      pollfd fd{STDIN_FILENO, POLLIN, 0};
      int ready = stdin_open ? ::poll(&fd, 1, 200) : (::usleep(200000), 0);
      if (ready <= 0)
        continue;
      char buf[1024];
      auto n = ::read(STDIN_FILENO, buf, sizeof buf);
      if (n <= 0) {
        stdin_open = false; // stdin closed (e.g. </dev/null): serve until a signal
        continue;
      }
      pending.append(buf, static_cast<std::size_t>(n));
      for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
        auto line = pending.substr(0, nl);
        pending.erase(0, nl + 1);
        std::string reply;
        try {
          reply = run_command(cluster.get(), opts.brokers, line);
        } catch (const std::exception& e) {
          reply = std::string("error ") + e.what();
        }
        std::cout << reply << std::endl;
      }
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "sluice_kafka_mock: error: " << e.what() << '\n';
    return 1;
  }
}
