#pragma once
// Forward declarations of the operators module's main types, for headers that name them
// without needing their definitions. Default template arguments are given where the types are
// defined (keyed_stream's key selector, windowed_stream's evictor).

namespace sluice {

// api/: building and running a job.
class environment;
struct job_config;
struct cluster_config;
class job_result;
class job_client;
class job_runner;
template <class T>
class data_stream;
class data_stream_sink;
template <class K, class T, class KeySelector>
class keyed_stream;
template <class A, class B>
class connected_streams;
template <class K, class A, class B, class KeyA, class KeyB>
class keyed_connected_streams;
template <class T>
class broadcast_stream;
template <class In, class B>
class broadcast_connected_stream;
template <class K, class In, class B, class KeySelector>
class keyed_broadcast_connected_stream;
template <class U>
struct output_tag;
template <class K, class In, class Out>
class keyed_process_function;

// windows/: windowed streams.
struct no_evictor;
template <class K, class T, class KeySelector, class Assigner, class Evictor>
class windowed_stream;
template <class T, class Assigner, class Evictor>
class all_windowed_stream;

// plan/: the job graph and its execution plan.
class job_graph;
class execution_plan;

// core/: what an operator is and sees.
class stream_operator;
struct runtime_context;
template <class T>
class collector;

// sources/ and sinks/: the user-facing ends of a job.
template <class T>
class source;
template <class T>
class sink;

} // namespace sluice
