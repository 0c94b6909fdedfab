//! The `gazette` command: a thin wrapper over the library (see `src/cli/`).

mod cli;
mod small_alloc;

/// Small blocks are recycled per thread before glibc sees them (see `small_alloc`).
#[global_allocator]
static ALLOC: small_alloc::SmallCache = small_alloc::SmallCache;

fn main() -> std::process::ExitCode {
    cli::main()
}
