"""CloudFormation text: the one loader that knows CloudFormation's tags, the one dumper, normalisation
so two templates compare by meaning, and what a change does to a resource (create-only -> replacement)."""
