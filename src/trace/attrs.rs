//! The span attributes coordsim writes and reads, named once.
//!
//! GenAI semantic conventions (`gen_ai.*`) where one applies; coordsim's own
//! (`coordsim.*`) for what the conventions do not cover: which node a span
//! belongs to, its pass and attempt, its outcome label, a gate's decision.

/// `chat`, `execute_tool`, `invoke_agent`, `embeddings`, …
pub const OPERATION: &str = "gen_ai.operation.name";
/// The model asked (chat spans).
pub const REQUEST_MODEL: &str = "gen_ai.request.model";
/// The provider (chat spans).
pub const PROVIDER: &str = "gen_ai.provider.name";
/// The agent's name (invoke_agent spans).
pub const AGENT_NAME: &str = "gen_ai.agent.name";
/// The tool's name (execute_tool spans).
pub const TOOL_NAME: &str = "gen_ai.tool.name";
/// `function`, `extension` or `datastore` (a retrieval).
pub const TOOL_TYPE: &str = "gen_ai.tool.type";
/// Input tokens of the call.
pub const INPUT_TOKENS: &str = "gen_ai.usage.input_tokens";
/// Output tokens of the call.
pub const OUTPUT_TOKENS: &str = "gen_ai.usage.output_tokens";
/// The error's class on a failed span (`timeout` for a timeout).
pub const ERROR_TYPE: &str = "error.type";
/// The scenario node (or hand-off `from->to`) the span is an attempt of.
pub const NODE: &str = "coordsim.node";
/// The node's kind (`llm`, `tool`, `retrieval`, `gate`, `aggregate`, `handoff`).
pub const NODE_KIND: &str = "coordsim.node.kind";
/// Pass of the step in its task, from 1 (loop-backs start a new pass).
pub const PASS: &str = "coordsim.pass";
/// Attempt within the pass, from 1 (within the iteration or branch of a
/// loop or fan-out node).
pub const ATTEMPT: &str = "coordsim.attempt";
/// On an agent loop's spans: the iteration, from 0.
pub const ITERATION: &str = "coordsim.iteration";
/// On a dynamic fan-out's spans: the branch, from 0.
pub const BRANCH: &str = "coordsim.branch";
/// `ok`, `silent`, `loud`, `timeout`, `abandoned`: the attempt's label.
pub const ATTEMPT_OUTCOME: &str = "coordsim.attempt.outcome";
/// A span that is a wait before a retry, not an attempt.
pub const BACKOFF: &str = "coordsim.backoff";
/// Seconds of the attempt spent before service (transfer, queue).
pub const QUEUE_WAIT: &str = "coordsim.queue_wait_s";
/// Dollars the attempt (or, on a root span, the task) cost.
pub const COST: &str = "coordsim.cost_usd";
/// A gate's input was `right` or `wrong`.
pub const GATE_INPUT: &str = "coordsim.gate.input";
/// A gate `flag`ged or `pass`ed its input.
pub const GATE_DECISION: &str = "coordsim.gate.decision";
/// On a root span: the task's id (the same for every run of one task).
pub const TASK_ID: &str = "coordsim.task.id";
/// On a root span: the run of the task (pass^k), from 0.
pub const TASK_RUN: &str = "coordsim.task.run";
/// On a root span: `correct`, `silent`, `loud` or `escalated`.
pub const TASK_OUTCOME: &str = "coordsim.task.outcome";
/// On a root span: the node whose wrong answer reached the user.
pub const SILENT_ORIGIN: &str = "coordsim.silent_origin";
/// The scenario that was simulated (resource attribute `service.name` is `coordsim`).
pub const SCENARIO: &str = "coordsim.scenario";
