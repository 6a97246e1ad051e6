//! Student solutions the grader is judged against, one example each in
//! `examples/`: `wrong_*` programs make one realistic mistake that the grader
//! must fail, `ok_*` programs are correct but written differently and must
//! get full marks. `python/` holds the same idea in another language.
