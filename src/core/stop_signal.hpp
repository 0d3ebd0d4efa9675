#pragma once
// SIGUSR1 (Slurm's warning before a time limit, forwarded by srun) and SIGTERM (scancel, a
// site's preemption) ask a job to stop at its next safe point: finish the current item or step,
// write its checkpoint, and exit with ExitCode::interrupted so that a rerun resumes. Handlers
// are installed once, before MPI starts; until a job calls accept_stop_requests() they act like
// the default action (the process ends), so commands that never poll stay killable. After it,
// a signal at any moment (planning, the final flush) never kills the job half-way.

namespace medanon {

void install_stop_signal_handlers();
// Called by jobs that poll stop_requested() at safe points (anonymize, train).
void accept_stop_requests();
// True once a stop was asked for on this rank. Async-signal-safe to set, cheap to poll; jobs
// turn it into a collective decision themselves (each documents how).
bool stop_requested();
void request_stop();

}  // namespace medanon
