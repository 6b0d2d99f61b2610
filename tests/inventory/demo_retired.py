"""Run as a script (`python -m tests.inventory.demo_retired OUT`): seed the demo estate into a fresh
local Proton, snapshot it through the API, retire Proton, and rebuild the snapshot from what it
left behind (stacks in both demo accounts, the bundles, the Terraform provisioning folders).

A process of its own: moto keeps one cloud per process, and the demo's stack names are fixed.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

DEMO_ACCOUNTS = ("111111111111", "222222222222")
ROLE = "arn:aws:iam::{account}:role/ExodusReadOnly"


def main(out: Path) -> None:
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    from proton_exodus.demo import BUNDLES_DIR
    from proton_exodus.demo.seed import local_seed
    from proton_exodus.engine.server import LocalProtonServer
    from proton_exodus.inventory import crawl_estate
    from proton_exodus.inventory.from_stacks import crawl_stacks
    from proton_exodus.settings import Settings

    accounts = out / "accounts.txt"
    out.mkdir(parents=True, exist_ok=True)
    accounts.write_text("\n".join(DEMO_ACCOUNTS) + "\n")
    with tempfile.TemporaryDirectory() as scratch:
        provisioning = Path(scratch) / "provisioning"
        with LocalProtonServer(
            port=0, seed=local_seed(), backend_options={"provisioning_root": provisioning}
        ) as srv:
            settings = Settings(endpoint_url=srv.url, regions=("us-east-1",))
            crawl_estate(settings, out / "api", bundles=(str(BUNDLES_DIR),))
            srv.retire(True)
            crawl_stacks(
                settings,
                out / "stacks",
                bundles=(str(BUNDLES_DIR),),
                assume_role=ROLE,
                accounts_file=accounts,
                provisioning_repos=(str(provisioning),),
            )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
