"""verdict: a rule-as-code policy server for content moderation."""
