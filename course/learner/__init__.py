"""One learner's record: where they are, what they answered and rated, and every word they wrote in the journal."""
