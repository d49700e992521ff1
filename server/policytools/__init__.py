"""Tools for policy engineers: Rego test runner, coverage, decision tables, clause coverage."""
