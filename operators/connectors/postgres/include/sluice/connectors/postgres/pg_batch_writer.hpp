#pragma once
// pg_batch_writer: the rows of a sink subtask, bound into a batch and sent pipelined through a
// pg_session when the batch is full or flushed — either each batch on its own (at-least-once: a
// lost connection is re-established and the batch sent again) or inside one transaction that
// is prepared for two-phase commit (exactly-once: a lost connection loses the transaction,
// so it fails the job).

#include "sluice/connectors/postgres/pg_params.hpp"
#include "sluice/connectors/postgres/pg_session.hpp"

#include <cstddef>
#include <functional>
#include <string>

namespace sluice {

class pg_batch_writer {
public:
  enum class mode { batches, transaction };
  /// Gets a refused row ("(v1, v2)") and the server's message; the other rows are written.
  using refused_handler = std::function<void(const std::string& row, const std::string& error)>;

  /// Without `on_refused`, a refused row fails (throws postgres_refused_row).
  pg_batch_writer(const postgres_connection_options& options, std::string statement,
                  std::size_t batch_size, mode m, std::string who,
                  refused_handler on_refused = {});

  /// Connects and prepares the statement (a `COPY ... FROM STDIN` statement: finds its columns).
  void open();
  /// Where the binder appends the next row's parameters; end_row() closes it.
  pg_params& params() { return rows_; }
  /// Closes the row the binder wrote (checking its number of parameters); sends the batch
  /// once it holds batch_size rows.
  void end_row();
  /// Sends the rows of the batch.
  void flush();

  /// mode::transaction: flushes and prepares the open transaction as `gid`; false (and
  /// nothing prepared) if no row was written since the last one.
  bool prepare_transaction(const std::string& gid);
  /// mode::transaction: discards the buffered rows and rolls the open transaction back.
  void roll_back();

  pg_session& session() { return session_; }

private:
  /// Sends rows_ (a savepoint first in a transaction when refused rows are handled); a
  /// refused row goes to on_refused_ and the others are sent again.
  void send();
  /// Sends rows_ once: pipelined statements, or one COPY.
  void execute();

  pg_session session_;
  refused_handler on_refused_;
  std::string statement_;
  std::string who_;
  std::size_t batch_size_;
  mode mode_;
  std::size_t statement_params_ = 0;
  bool copy_ = false; ///< the statement is COPY ... FROM STDIN
  bool in_transaction_ = false;
  pg_params rows_;
};

} // namespace sluice
