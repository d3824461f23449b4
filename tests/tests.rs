//! Integration tests, one binary with modules by topic (fixtures in `tests/data/`, measured data
//! in `../shared/data/`).

mod suite;
