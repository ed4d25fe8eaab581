#pragma once
// Every built-in source and sink, and the text form of records they use.

#include "sluice/operators/core/text_format.hpp"
#include "sluice/operators/sinks/collecting_sink.hpp"
#include "sluice/operators/sinks/discarding_sink.hpp"
#include "sluice/operators/sinks/exactly_once_text_file_sink.hpp"
#include "sluice/operators/sinks/print_sink.hpp"
#include "sluice/operators/sinks/sink_error.hpp"
#include "sluice/operators/sinks/text_file_sink.hpp"
#include "sluice/operators/sinks/two_phase_commit_sink.hpp"
#include "sluice/operators/sources/collection_source.hpp"
#include "sluice/operators/sources/sequence_source.hpp"
#include "sluice/operators/sources/socket_text_source.hpp"
#include "sluice/operators/sources/source_error.hpp"
#include "sluice/operators/sources/text_file_source.hpp"
