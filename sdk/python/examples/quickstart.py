"""Switchboard quickstart: connect an Ashby account, page through jobs, create a candidate.

Run against the demo started by the project's run command:

    export SWITCHBOARD_PUBLIC_KEY=pk_... SWITCHBOARD_SECRET_KEY=sk_...   # printed by the demo
    export SWITCHBOARD_BASE_URL=http://localhost:8000
    export ASHBY_API_KEY=...        # the sandbox key the demo printed (or a real Ashby key)
    python sdk/python/examples/quickstart.py

Without ASHBY_API_KEY it prints the connect page URL to open instead, which is the flow a real
product uses: the customer pastes their own key there.
"""

from __future__ import annotations

import os
import sys
import uuid

from switchboard_sdk import PermissionDeniedError, Switchboard, SwitchboardError

OPERATIONS = ["atsJob::list", "genericContact::list", "genericContact::create"]


def main() -> int:
    try:
        public_key = os.environ["SWITCHBOARD_PUBLIC_KEY"]
        secret_key = os.environ["SWITCHBOARD_SECRET_KEY"]
    except KeyError as missing:
        print(f"Set {missing.args[0]} (the demo prints the tenant's keys).", file=sys.stderr)
        return 2
    base_url = os.environ.get("SWITCHBOARD_BASE_URL", "http://localhost:8000")
    owner_id = os.environ.get("SWITCHBOARD_OWNER_ID", "quickstart")

    with Switchboard(public_key=public_key, secret_key=secret_key, base_url=base_url) as client:
        # 1. Create (or update: the server upserts) the connection with the operations we need.
        connection = client.connections(connector_id="ashby", owner_id=owner_id)
        created = connection.create(operations=OPERATIONS)
        print(f"connection ashby/{owner_id}: {created.status}")

        # 2. Authorize. Server-side with a key when we have one; otherwise the connect page.
        ashby_key = os.environ.get("ASHBY_API_KEY")
        if not ashby_key:
            auth = connection.authorize(redirect_url="http://localhost:8000/")
            print(f"Open this URL and paste an Ashby API key, then run again:\n  {auth.authorization_url}")
            return 0
        auth = connection.authorize(settings={"apiKey": ashby_key})
        print(f"authorization: {auth.status}")
        if auth.connection and auth.connection.missing_operations:
            print(f"  the key lacks permissions for: {', '.join(auth.connection.missing_operations)}")

        # 3. Every job, across pages. A small page size shows the cursor being followed.
        jobs = connection.resources("atsJob")
        count = 0
        for job in jobs.iter_all(limit=5, fields=["title", "status"]):
            count += 1
            if count <= 10:
                print(f"  job {job.id}: {job.fields.get('title')} [{job.fields.get('status')}]")
        print(f"{count} jobs in total")

        # 4. Create a candidate and read it back.
        contacts = connection.resources("genericContact")
        email = f"ada+{uuid.uuid4().hex[:8]}@example.com"
        try:
            candidate = contacts.create(
                {"firstName": "Ada", "lastName": "Lovelace", "email": email}, return_resource=True
            )
        except PermissionDeniedError as exc:
            print(f"cannot create candidates with this key: {exc.message}", file=sys.stderr)
            return 1
        print(f"created candidate {candidate.id}: {candidate.fields.get('firstName')} "
              f"{candidate.fields.get('lastName')} <{candidate.fields.get('email')}>")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except SwitchboardError as exc:
        # The request id is what to quote when asking for help: it finds the call in the logs.
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
