"""Local Proton: the engine behind `exodus local serve` (state, rules, provisioning)."""
