//! Integration tests: the real server on a random port against a fresh database.
mod access;
mod api;
mod casework;
mod commissioning;
mod helpers;
mod intake;
mod linking;
mod pages;
