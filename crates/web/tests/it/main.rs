//! Integration tests: the real server on a random port against a fresh database.
mod access;
mod api;
mod casework;
mod helpers;
mod intake;
mod pages;
