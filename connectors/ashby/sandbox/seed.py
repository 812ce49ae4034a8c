"""Deterministic, lazily generated seed data.

Small reference sets (users, jobs, plans, stages, departments, ...) are built eagerly: they are
tiny. Candidates, applications and everything hanging off applications (interview schedules,
offers, feedback) are *derived from (seed, index)* on demand, so 100,000 candidates cost no memory
until a record is read, and listing a page costs O(page), not O(total). The same seed always yields
the same data; timestamps are spread over a fixed window ending at ANCHOR so they never drift with
the wall clock.

Index spaces:
  candidate i                      0 <= i < N
  application j                    0 <= j < N: candidate j's first application
                                   N <= j < N + N//5: second application of candidate (j-N)*5+2
  interviewSchedule/offer/feedback share the application index space; an index with no such
  record (e.g. an application that never reached an interview) yields None and is skipped.
"""

from __future__ import annotations

import bisect
from datetime import UTC, datetime

from .ids import IdCodec, iso_ms, rng_for

START_MS = int(datetime(2023, 6, 1, tzinfo=UTC).timestamp() * 1000)
ANCHOR_MS = int(datetime(2026, 6, 1, tzinfo=UTC).timestamp() * 1000)
DAY_MS = 86_400_000
HOUR_MS = 3_600_000

FIRST_NAMES = [
    "Priya", "Sarah", "Tom", "Amara", "Lucas", "Mei", "Jonas", "Fatima", "Diego", "Olivia", "Kenji",
    "Zainab", "Noah", "Elena", "Samuel", "Aisha", "Mateo", "Hannah", "Ravi", "Chloe", "Kwame", "Ingrid",
    "Omar", "Sofia", "Liam", "Yuki", "Gabriel", "Nadia", "Ethan", "Leila", "Arjun", "Freya", "Tariq",
    "Maya", "Felix", "Ana", "Daniel", "Wanjiru", "Hugo", "Isabel",
]
LAST_NAMES = [
    "Raman", "Johnson", "Lee", "Okafor", "Silva", "Chen", "Berg", "Haddad", "Fernandez", "Smith",
    "Tanaka", "Bello", "Cohen", "Petrova", "Adeyemi", "Khan", "Garcia", "Muller", "Iyer", "Martin",
    "Mensah", "Larsen", "Nasser", "Rossi", "Walsh", "Sato", "Dubois", "Rahman", "Brown", "Farah",
    "Patel", "Nielsen", "Aziz", "Kowalski", "Novak", "Costa", "Kim", "Kamau", "Laurent", "Ortiz",
]
COMPANIES = ["Acme Corp", "Globex", "Initech", "Umbrella Labs", "Hooli", "Stark Industries", "Wayne Tech",
             "Soylent", "Vandelay Industries", "Tyrell Systems", "Cyberdyne", "Wonka Analytics"]
SCHOOLS = ["University of Waterloo", "MIT", "ETH Zurich", "University of Lagos", "IIT Bombay",
           "Stanford University", "TU Munich", "University of Toronto", "Imperial College London",
           "Universidade de Sao Paulo"]
POSITIONS = ["Software Engineer", "Senior Backend Engineer", "Product Manager", "Data Scientist",
             "Product Designer", "Account Executive", "Engineering Manager", "Recruiter",
             "Marketing Manager", "Site Reliability Engineer"]
EMAIL_DOMAINS = ["example.com", "example.org", "mail.example.net"]
JOB_TITLES = [
    "Senior Backend Engineer", "Frontend Engineer", "Product Manager", "Data Scientist",
    "Product Designer", "Account Executive", "Engineering Manager", "Site Reliability Engineer",
    "Technical Recruiter", "Marketing Manager", "Customer Success Manager", "Security Engineer",
    "Staff Platform Engineer", "Solutions Engineer", "Finance Analyst", "People Partner",
]
# (title, type): the shape every seeded interview plan follows.
STAGE_TEMPLATE = [
    ("New Lead", "Lead"),
    ("Application Review", "PreInterviewScreen"),
    ("Recruiter Screen", "Active"),
    ("Technical Interview", "Active"),
    ("Onsite", "Active"),
    ("Offer", "Offer"),
    ("Hired", "Hired"),
    ("Archived", "Archived"),
]
STAGES_PER_PLAN = len(STAGE_TEMPLATE)
ARCHIVED_ORDER = 7
HIRED_ORDER = 6
OFFER_ORDER = 5
# Where seeded applications currently sit (stage order -> weight).
STAGE_WEIGHTS = [(0, 5), (1, 25), (2, 14), (3, 9), (4, 6), (5, 3), (6, 6), (7, 32)]

DEPARTMENTS = [  # (name, parent index or None, archived)
    ("Engineering", None, False), ("Product", None, False), ("Design", None, False),
    ("Sales", None, False), ("Marketing", None, False), ("People", None, False),
    ("Platform", 0, False), ("Legacy Operations", None, True),
]
LOCATIONS = [  # (name, workplaceType, country, region, city, postal, street)
    ("San Francisco", "OnSite", "US", "CA", "San Francisco", "94105", "123 Market St"),
    ("New York", "Hybrid", "US", "NY", "New York", "10001", "350 5th Ave"),
    ("London", "Hybrid", "GB", "England", "London", "EC2A 4NE", "1 Finsbury Ave"),
    ("Berlin", "OnSite", "DE", "Berlin", "Berlin", "10117", "Friedrichstrasse 68"),
    ("Remote (US)", "Remote", "US", None, None, None, None),
]
SOURCE_TYPES = ["Inbound", "Outbound", "Referral", "Agency"]
SOURCES = [  # (title, sourceType index, archived)
    ("Applied", 0, False), ("LinkedIn", 0, False), ("Referral", 2, False), ("Sourced", 1, False),
    ("Agency", 3, False), ("Indeed", 0, False), ("Career Fair 2023", 1, True),
]
ARCHIVE_REASONS = [  # (text, reasonType, archived)
    ("Lacks Skills/Qualifications", "RejectedByOrg", False), ("Position Filled", "Other", False),
    ("Candidate Withdrew", "RejectedByCandidate", False),
    ("Compensation Mismatch", "RejectedByCandidate", False),
    ("Not Enough Experience", "RejectedByOrg", False), ("Duplicate", "Other", True),
]
TAGS = [("Strong candidate", False), ("Referral", False), ("Silver medalist", False),
        ("Relocation needed", False), ("Diversity pipeline", False), ("Old tag", True)]
INTERVIEWS = [  # (title, isDebrief, jobIndex or None, archived)
    ("Recruiter Phone Screen", False, None, False), ("Technical Interview", False, None, False),
    ("System Design", False, None, False), ("Hiring Manager Chat", False, None, False),
    ("Values Interview", False, None, False), ("Onsite Debrief", True, None, False),
    ("Legacy Take-home Review", False, None, True), ("Backend Pairing Exercise", False, 0, False),
]
# Candidate custom fields: the connector's canonical "Years of experience" plus one of every type.
CUSTOM_FIELDS = [  # (title, fieldType, objectType, isPrivate, selectable values)
    ("Years of experience", "Number", "Candidate", False, None),
    ("Current title", "String", "Candidate", False, None),
    ("Expected notice (weeks)", "Number", "Candidate", False, None),
    ("Open to relocation", "Boolean", "Candidate", False, None),
    ("Available from", "Date", "Candidate", False, None),
    ("Seniority", "ValueSelect", "Candidate", False, ["Junior", "Mid", "Senior", "Staff", "Principal"]),
    ("Languages", "MultiValueSelect", "Candidate", False, ["English", "German", "French", "Spanish", "Hindi"]),
    ("Current salary", "Currency", "Candidate", True, None),
    ("Team size managed", "NumberRange", "Candidate", False, None),
    ("Desired compensation", "CompensationRange", "Candidate", True, None),
    ("Recruiter notes", "LongText", "Candidate", True, None),
    ("Portfolio", "Url", "Candidate", False, None),
    ("Personal email", "Email", "Candidate", True, None),
    ("Alternate phone", "Phone", "Candidate", False, None),
    ("Referral bonus eligible", "Boolean", "Application", False, None),
    ("Cost center", "String", "Job", False, None),
    ("Legacy score", "Number", "Candidate", False, None),  # archived; hidden unless includeArchived
]
ARCHIVED_CUSTOM_FIELDS = {"Legacy score"}
ROLES = ["Organization Admin", "Elevated Access", "Limited Access", "External Recruiter"]
EMPLOYMENT_TYPES = ["FullTime", "FullTime", "FullTime", "PartTime", "Contract", "Intern", "Temporary"]


def _pick_weighted(rng, weights):
    total = sum(w for _, w in weights)
    x = rng.random() * total
    for value, w in weights:
        x -= w
        if x < 0:
            return value
    return weights[-1][0]


class SeedData:
    """Builds the small reference sets eagerly and derives the big ones per index."""

    def __init__(self, seed: int = 1, candidates: int = 50, jobs: int = 12, users: int = 25):
        self.seed = seed
        self.n_candidates = max(0, int(candidates))
        self.n_jobs = max(3, int(jobs))
        self.n_users = max(4, int(users))
        self.n_applications = self.n_candidates + self.n_candidates // 5
        self.codec = {}
        for kind in ("user", "brand", "department", "location", "source", "sourceType", "archiveReason",
                     "tag", "customField", "interview", "job", "jobPosting", "interviewPlan",
                     "interviewStage", "candidate", "application", "applicationHistory",
                     "interviewSchedule", "interviewEvent", "offer", "offerVersion", "feedback",
                     "feedbackForm", "file", "location-candidate"):
            self.codec[kind] = IdCodec(seed, kind)
        self._build_reference()

    def id(self, kind: str, index: int) -> str:
        return self.codec[kind].encode(index)

    # ------------------------------------------------------------------ reference data
    def _build_reference(self):
        seed = self.seed
        span = ANCHOR_MS - START_MS
        self.users = []
        for i in range(self.n_users):
            rng = rng_for(seed, "user", i)
            if i == 0:
                first, last, role = "Ops", "Admin", "Organization Admin"
            else:
                first, last = FIRST_NAMES[(i * 7 + 3) % len(FIRST_NAMES)], LAST_NAMES[(i * 11 + 5) % len(LAST_NAMES)]
                role = ROLES[1] if i % 4 == 1 else ROLES[3] if i % 10 == 9 else ROLES[2]
            self.users.append({
                "id": self.id("user", i), "firstName": first, "lastName": last,
                "email": f"{first.lower()}.{last.lower()}@switchboard-demo.example.com",
                "globalRole": role,
                # A few deactivated users so includeDeactivated has something to do.
                "isEnabled": not (i % 12 == 11),
                "updatedAt": iso_ms(START_MS + rng.randrange(span)),
                "_interviewer": {"dailyLimit": 2 + i % 4, "weeklyLimit": 8 + i % 10} if i % 3 else
                                {"dailyLimit": None, "weeklyLimit": None},
            })
        self.brands = [
            {"id": self.id("brand", 0), "name": "Switchboard Demo Inc.", "hostedJobsPageSlug": "switchboard-demo"},
            {"id": self.id("brand", 1), "name": "Switchboard Labs", "hostedJobsPageSlug": "switchboard-labs"},
        ]
        self.departments = []
        for i, (name, parent, archived) in enumerate(DEPARTMENTS):
            created = START_MS - 200 * DAY_MS + i * DAY_MS
            self.departments.append({
                "id": self.id("department", i), "name": name, "externalName": name, "isArchived": archived,
                "parentId": self.id("department", parent) if parent is not None else None,
                "createdAt": iso_ms(created), "updatedAt": iso_ms(created + 30 * DAY_MS), "extraData": None,
            })
        self.locations = []
        for i, (name, wpt, country, region, city, postal, street) in enumerate(LOCATIONS):
            address = None if city is None else {"postalAddress": {
                "addressCountry": country, "addressRegion": region, "addressLocality": city,
                "postalCode": postal, "streetAddress": street}}
            self.locations.append({
                "id": self.id("location", i), "name": name, "externalName": name, "isArchived": False,
                "address": address, "isRemote": wpt == "Remote", "workplaceType": wpt,
                "parentLocationId": None, "type": "Location", "extraData": None,
                # Not an Ashby field: lets location.list sync like the other metadata lists.
                "_updatedAt": iso_ms(START_MS - 100 * DAY_MS + i * DAY_MS),
            })
        self.source_types = [{"id": self.id("sourceType", i), "title": t, "isArchived": False}
                             for i, t in enumerate(SOURCE_TYPES)]
        self.sources = [{"id": self.id("source", i), "title": t, "isArchived": a, "sourceTypeId": self.source_types[st]["id"]}
                        for i, (t, st, a) in enumerate(SOURCES)]
        self.archive_reasons = [{"id": self.id("archiveReason", i), "text": t, "reasonType": rt, "isArchived": a}
                                for i, (t, rt, a) in enumerate(ARCHIVE_REASONS)]
        self.tags = [{"id": self.id("tag", i), "title": t, "isArchived": a} for i, (t, a) in enumerate(TAGS)]
        self.custom_fields = []
        for i, (title, ftype, otype, private, values) in enumerate(CUSTOM_FIELDS):
            rec = {"id": self.id("customField", i), "isPrivate": private, "title": title, "objectType": otype,
                   "isArchived": title in ARCHIVED_CUSTOM_FIELDS, "fieldType": ftype, "isRequired": False,
                   "_updatedAt": iso_ms(START_MS - 50 * DAY_MS + i * HOUR_MS)}
            if values is not None:
                rec["selectableValues"] = [{"label": v, "value": v, "isArchived": False} for v in values]
            self.custom_fields.append(rec)
        self.cf_by_title = {f["title"]: f for f in self.custom_fields}

        # Jobs: one interview plan per job, eight stages per plan. The last three jobs are
        # Draft, Closed and Archived so status filters are exercised; the rest are Open.
        self.jobs, self.plans, self.stages = [], [], []
        for j in range(self.n_jobs):
            rng = rng_for(seed, "job", j)
            created = START_MS - 60 * DAY_MS + j * 3 * DAY_MS
            status = "Open"
            if j == self.n_jobs - 1:
                status = "Archived"
            elif j == self.n_jobs - 2:
                status = "Closed"
            elif j == self.n_jobs - 3:
                status = "Draft"
            opened = None if status == "Draft" else created + 2 * HOUR_MS
            closed = ANCHOR_MS - 20 * DAY_MS + j * HOUR_MS if status in ("Closed", "Archived") else None
            hm = 1 + (j * 3) % (self.n_users - 1)
            rec_user = 1 + (j * 5 + 2) % (self.n_users - 1)
            plan_id = self.id("interviewPlan", j)
            self.jobs.append({
                "id": self.id("job", j), "title": JOB_TITLES[j % len(JOB_TITLES)] + (f" {j // len(JOB_TITLES) + 1}" if j >= len(JOB_TITLES) else ""),
                "confidential": j == self.n_jobs - 4, "status": status,
                "employmentType": EMPLOYMENT_TYPES[rng.randrange(len(EMPLOYMENT_TYPES))],
                "locationId": self.locations[j % len(self.locations)]["id"],
                "departmentId": self.departments[j % 7]["id"],
                "defaultInterviewPlanId": plan_id, "interviewPlanIds": [plan_id],
                "customFieldValues": {self.cf_by_title["Cost center"]["id"]: f"CC-{100 + j % 5}"},
                "jobPostingIds": [] if status == "Draft" else [self.id("jobPosting", j)],
                "customRequisitionId": f"REQ-{1000 + j}", "brandId": self.brands[j % 2]["id"],
                "hiringTeam": [{"userId": self.users[hm]["id"], "role": "Hiring Manager"},
                               {"userId": self.users[rec_user]["id"], "role": "Recruiter"}],
                "authorId": self.users[0]["id"],
                "createdAt": iso_ms(created), "updatedAt": iso_ms((closed or opened or created) + HOUR_MS),
                "openedAt": iso_ms(opened) if opened else None, "closedAt": iso_ms(closed) if closed else None,
            })
            self.plans.append({"id": plan_id, "title": f"{self.jobs[j]['title']} Interview Plan",
                               "isArchived": False, "createdAt": iso_ms(created),
                               "updatedAt": iso_ms(created + DAY_MS)})
            for k, (title, stype) in enumerate(STAGE_TEMPLATE):
                self.stages.append({"id": self.id("interviewStage", j * STAGES_PER_PLAN + k), "title": title,
                                    "type": stype, "orderInInterviewPlan": k, "interviewStageGroupId": None,
                                    "interviewPlanId": plan_id})
        # Applications go to jobs that were ever open; Open jobs are three times as likely.
        self.app_job_weights = [(j, 3 if job["status"] == "Open" else 1)
                                for j, job in enumerate(self.jobs) if job["status"] != "Draft"]
        self.interviews = []
        for i, (title, debrief, job_index, archived) in enumerate(INTERVIEWS):
            self.interviews.append({
                "id": self.id("interview", i), "title": title, "externalTitle": title, "isArchived": archived,
                "isDebrief": debrief, "isFeedbackRequired": not debrief, "isFeedbackRequested": not debrief,
                "instructionsHtml": f"<p>Run the {title.lower()} using the shared rubric.</p>",
                "instructionsPlain": f"Run the {title.lower()} using the shared rubric.",
                "jobId": self.jobs[job_index]["id"] if job_index is not None else None,
                "feedbackFormDefinitionId": self.id("feedbackForm", 0),
                "_updatedAt": iso_ms(START_MS - 10 * DAY_MS + i * HOUR_MS),
            })
        # Cumulative weights for the fast stage pick.
        self._stage_values = [v for v, _ in STAGE_WEIGHTS]
        acc, self._stage_cum = 0, []
        for _, w in STAGE_WEIGHTS:
            acc += w
            self._stage_cum.append(acc)

    # ------------------------------------------------------------------ candidates
    def candidate_created_ms(self, i: int) -> int:
        # Strictly increasing in i, so createdAfter can binary-search the index space.
        span = ANCHOR_MS - START_MS - 120 * DAY_MS
        step = span / max(1, self.n_candidates)
        jitter = rng_for(self.seed, "cc", i).random() * 0.9
        return START_MS + int((i + jitter) * step)

    def candidate(self, i: int) -> dict | None:
        if not 0 <= i < self.n_candidates:
            return None
        rng = rng_for(self.seed, "candidate", i)
        first = FIRST_NAMES[rng.randrange(len(FIRST_NAMES))]
        last = LAST_NAMES[rng.randrange(len(LAST_NAMES))]
        created = self.candidate_created_ms(i)
        updated = min(ANCHOR_MS, created + rng.randrange(1, 90 * DAY_MS))
        cid = self.id("candidate", i)
        emails, phones, links = [], [], []
        # The index is embedded in the address so candidate.search by email is O(1).
        if rng.random() < 0.92:
            emails.append({"value": f"{first.lower()}.{last.lower()}{i}@{EMAIL_DOMAINS[i % 3]}",
                           "type": "Personal", "isPrimary": True})
            if rng.random() < 0.15:
                emails.append({"value": f"{first[0].lower()}{last.lower()}{i}@work.example.com",
                               "type": "Work", "isPrimary": False})
        if rng.random() < 0.7:
            phones.append({"value": f"+1415555{i % 10000:04d}", "type": "Personal", "isPrimary": True})
        if rng.random() < 0.6:
            links.append({"type": "LinkedIn", "url": f"https://linkedin.com/in/{first.lower()}-{last.lower()}-{i}"})
        if rng.random() < 0.2:
            links.append({"type": "GitHub", "url": f"https://github.com/{first.lower()}{last.lower()}{i}"})
        tag_ids = []
        if rng.random() < 0.3:
            tag_ids.append(self.tags[rng.randrange(5)]["id"])
        source_index = 0 if rng.random() < 0.45 else rng.randrange(1, 6)
        years = rng.randrange(0, 25)
        cf = self.cf_by_title
        values = {cf["Years of experience"]["id"]: years}
        if rng.random() < 0.5:
            values[cf["Seniority"]["id"]] = ["Junior", "Mid", "Senior", "Staff", "Principal"][min(4, years // 5)]
        if rng.random() < 0.3:
            values[cf["Open to relocation"]["id"]] = rng.random() < 0.5
        if rng.random() < 0.25:
            values[cf["Languages"]["id"]] = sorted(rng.sample(["English", "German", "French", "Spanish", "Hindi"], 2))
        if rng.random() < 0.2:
            values[cf["Current salary"]["id"]] = {"value": rng.randrange(60, 250) * 1000, "currencyCode": "USD"}
        if rng.random() < 0.15:
            values[cf["Available from"]["id"]] = iso_ms(ANCHOR_MS + rng.randrange(1, 90) * DAY_MS)
        resume = None
        if rng.random() < 0.5:
            fid = self.id("file", i)
            resume = {"id": fid, "name": f"{first.lower()}_{last.lower()}_cv.pdf",
                      "handle": f"sandbox-file-{fid}"}
        rec = {
            "id": cid, "createdAt": iso_ms(created), "updatedAt": iso_ms(updated),
            "name": f"{first} {last}", "emailAddresses": emails, "phoneNumbers": phones, "socialLinks": links,
            "tagIds": tag_ids,
            "position": POSITIONS[rng.randrange(len(POSITIONS))] if rng.random() < 0.8 else None,
            "company": COMPANIES[rng.randrange(len(COMPANIES))] if rng.random() < 0.75 else None,
            "school": SCHOOLS[rng.randrange(len(SCHOOLS))] if rng.random() < 0.6 else None,
            "sourceId": self.sources[source_index]["id"],
            "creditedToUserId": self.users[1 + rng.randrange(self.n_users - 1)]["id"] if rng.random() < 0.3 else None,
            "timezone": rng.choice(["America/New_York", "Europe/London", "Europe/Berlin"]) if rng.random() < 0.3 else None,
            "fraudStatus": None,
            "customFieldValues": values,
            "resumeFileHandle": resume, "fileHandles": [resume] if resume else [],
            "_index": i,
        }
        if rng.random() < 0.35:
            loc = LOCATIONS[rng.randrange(4)]
            rec["location"] = {"id": self.id("location-candidate", i),
                               "locationSummary": f"{loc[4]}, {loc[3]}, {loc[2]}",
                               "locationComponents": [{"type": "Country", "name": loc[2]},
                                                      {"type": "Region", "name": loc[3]},
                                                      {"type": "City", "name": loc[4]}]}
        return rec

    def candidate_index_for_email(self, email: str) -> int | None:
        local = email.split("@", 1)[0]
        digits = ""
        for ch in reversed(local):
            if not ch.isdigit():
                break
            digits = ch + digits
        return int(digits) if digits else None

    def seeded_application_ids_for(self, i: int) -> list[str]:
        out = [self.id("application", i)]
        extra = (i - 2) // 5
        if i % 5 == 2 and self.n_candidates + extra < self.n_applications:
            out.append(self.id("application", self.n_candidates + extra))
        return out

    # ------------------------------------------------------------------ applications
    def application_bound_ms(self, j: int) -> int:
        """Upper bound of application j's createdAt, non-decreasing within each index segment."""
        n = self.n_candidates
        if j < n:
            return self.candidate_created_ms(j) + 1000
        return self.candidate_created_ms((j - n) * 5 + 2) + 31 * DAY_MS

    def application(self, j: int) -> dict | None:
        n = self.n_candidates
        if not 0 <= j < self.n_applications:
            return None
        rng = rng_for(self.seed, "application", j)
        if j < n:
            ci = j
            created = self.candidate_created_ms(ci) + 150
        else:
            ci = (j - n) * 5 + 2
            created = self.candidate_created_ms(ci) + 30 * DAY_MS + rng.randrange(DAY_MS)
        job_index = _pick_weighted(rng, self.app_job_weights)
        if j >= n:  # a second application goes to a different job than the first
            first_job = _pick_weighted(rng_for(self.seed, "application", ci), self.app_job_weights)
            if job_index == first_job:
                idx = [k for k, _ in self.app_job_weights]
                job_index = idx[(idx.index(first_job) + 1) % len(idx)]
        order = self._stage_values[bisect.bisect_right(self._stage_cum, rng.random() * self._stage_cum[-1])]
        archived = order == ARCHIVED_ORDER
        max_order = rng.choice([1, 1, 1, 2, 2, 3, 4, 5]) if archived else order
        start_order = 0 if order == 0 else 1
        t = created
        history = []
        stage_base = job_index * STAGES_PER_PLAN
        path = list(range(start_order, max_order + 1)) + ([ARCHIVED_ORDER] if archived else [])
        for n_step, k in enumerate(path):
            if n_step:
                t = min(ANCHOR_MS - HOUR_MS, t + rng.randrange(1, 7) * DAY_MS + rng.randrange(HOUR_MS))
            if history:
                history[-1]["leftStageAt"] = iso_ms(t)
            history.append({"id": self.id("applicationHistory", j * 16 + n_step),
                            "stageId": self.id("interviewStage", stage_base + k),
                            "title": STAGE_TEMPLATE[k][0], "stageNumber": k, "enteredStageAt": iso_ms(t),
                            "leftStageAt": None, "allowedActions": ["set_entered_at", "delete"], "actorId": None})
        status = {0: "Lead", HIRED_ORDER: "Hired", ARCHIVED_ORDER: "Archived"}.get(order, "Active")
        source_index = 0 if rng.random() < 0.5 else rng.randrange(1, 6)
        cand_source = self.sources[source_index]["id"]
        job = self.jobs[job_index]
        values = {}
        if rng.random() < 0.2:
            values[self.cf_by_title["Referral bonus eligible"]["id"]] = source_index == 2
        return {
            "id": self.id("application", j), "createdAt": iso_ms(created), "updatedAt": iso_ms(t + 1234),
            "candidateId": self.id("candidate", ci), "jobId": job["id"],
            "stageId": self.id("interviewStage", stage_base + order), "status": status,
            "sourceId": cand_source,
            "creditedToUserId": job["hiringTeam"][1]["userId"] if rng.random() < 0.2 else None,
            "archiveReasonId": self.archive_reasons[rng.randrange(5)]["id"] if archived else None,
            "archivedAt": iso_ms(t) if archived else None,
            "customFieldValues": values,
            "appliedViaJobPostingId": job["jobPostingIds"][0] if source_index == 0 and job["jobPostingIds"] else None,
            "history": history,
            "_maxOrder": max_order, "_order": order, "_jobIndex": job_index, "_index": j,
        }

    # ------------------------------------------------------------------ schedules, offers, feedback
    def interview_schedule(self, j: int) -> dict | None:
        app = self.application(j)
        if app is None or app["_maxOrder"] < 2:
            return None
        rng = rng_for(self.seed, "interviewSchedule", j)
        order = min(app["_maxOrder"], 4)
        entry = next(h for h in app["history"] if h["stageNumber"] == order)
        entered = _ms(entry["enteredStageAt"])
        current = app["status"] == "Active" and app["_order"] == order
        start = entered + rng.randrange(1, 3) * DAY_MS + (15 + rng.randrange(4)) * HOUR_MS - entered % DAY_MS
        created = entered + HOUR_MS
        sid = self.id("interviewSchedule", j)
        interview_index = {2: 0, 3: 1, 4: 2}[order]
        events = []
        for e in range(1 if order == 2 else 2):
            s = start + e * 75 * 60_000
            iv = [{"userId": self.users[1 + (j + e + k) % (self.n_users - 1)]["id"], "isFeedbackRequired": True}
                  for k in range(1 + (e + j) % 2)]
            events.append({
                "id": self.id("interviewEvent", j * 4 + e),
                "interviewId": self.interviews[interview_index + (1 if e == 1 and order == 4 else 0)]["id"],
                "interviewers": iv, "createdAt": iso_ms(created), "updatedAt": iso_ms(created + 60_000),
                "startTime": iso_ms(s), "endTime": iso_ms(s + HOUR_MS),
                "location": "Google Meet" if e == 0 else "Room 4.01",
                "meetingLink": f"https://meet.google.com/sbx-{j:06d}-{e}" if e == 0 else None,
                "interviewerCalendarEventId": None, "hasSubmittedFeedback": not current,
                "notetakerTranscriptId": None, "extraData": None,
            })
        return {
            "id": sid, "status": "Scheduled" if current else "Complete", "applicationId": app["id"],
            "interviewStageId": entry["stageId"], "scheduledById": app["creditedToUserId"] or self.users[0]["id"],
            "createdAt": iso_ms(created), "updatedAt": iso_ms(created + 60_000), "events": events,
            "_candidateId": app["candidateId"], "_createdByKey": None, "_index": j, "_historyId": entry["id"],
        }

    def offer(self, j: int) -> dict | None:
        app = self.application(j)
        if app is None or app["_maxOrder"] < OFFER_ORDER:
            return None
        rng = rng_for(self.seed, "offer", j)
        entry = next(h for h in app["history"] if h["stageNumber"] == OFFER_ORDER)
        created = _ms(entry["enteredStageAt"]) + 2 * HOUR_MS
        if app["status"] == "Hired":
            acceptance, status, decided = "Accepted", "CandidateAccepted", created + 2 * DAY_MS
        elif app["status"] == "Archived":
            acceptance, status, decided = "Declined", "CandidateRejected", created + 3 * DAY_MS
        else:
            acceptance, status, decided = "WaitingOnResponse", "WaitingOnCandidateResponse", None
        version = {
            "id": self.id("offerVersion", j),
            "startDate": iso_ms((created // DAY_MS + 30) * DAY_MS),
            "salary": {"currencyCode": "USD", "value": rng.randrange(90, 260) * 1000},
            "createdAt": iso_ms(created), "openingId": None, "customFields": [], "fileHandles": [],
            "authorId": self.jobs[app["_jobIndex"]]["hiringTeam"][1]["userId"], "approvalStatus": "Approved",
        }
        return {"id": self.id("offer", j), "applicationId": app["id"], "decidedAt": iso_ms(decided) if decided else None,
                "acceptanceStatus": acceptance, "offerStatus": status, "versions": [version],
                "createdAt": iso_ms(created), "updatedAt": iso_ms(decided or created), "_index": j}

    def feedback(self, j: int) -> dict | None:
        sched = self.interview_schedule(j)
        if sched is None or sched["status"] != "Complete":
            return None
        rng = rng_for(self.seed, "feedback", j)
        ev = sched["events"][0]
        submitted = _ms(ev["endTime"]) + rng.randrange(1, 20) * HOUR_MS
        rating = rng.choice(["1", "2", "3", "4"])
        return {
            "id": self.id("feedback", j), "applicationId": sched["applicationId"],
            "submittedByUserId": ev["interviewers"][0]["userId"], "interviewId": ev["interviewId"],
            "interviewEventId": ev["id"], "feedbackFormDefinitionId": self.id("feedbackForm", 0),
            "applicationHistoryId": sched["_historyId"], "submittedAt": iso_ms(submitted),
            "submittedValues": {"overall_recommendation": rating,
                                "feedback": ["Strong fundamentals, clear communicator.",
                                             "Needs more depth in system design.",
                                             "Great collaboration signals.",
                                             "Mixed: solid coding, weak on testing."][rng.randrange(4)]},
            "createdAt": iso_ms(submitted), "updatedAt": iso_ms(submitted), "_index": j,
        }


def _ms(iso: str) -> int:
    dt = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return int(dt.timestamp() * 1000)


FEEDBACK_FORM_DEFINITION = {"sections": [{"fields": [
    {"isRequired": True, "field": {"id": "overall_recommendation", "type": "ValueSelect",
                                   "path": "overall_recommendation", "humanReadablePath": "Overall Recommendation",
                                   "title": "Overall Recommendation", "isNullable": False,
                                   "selectableValues": [{"label": "Strong No", "value": "1"},
                                                        {"label": "No", "value": "2"},
                                                        {"label": "Yes", "value": "3"},
                                                        {"label": "Strong Yes", "value": "4"}]}},
    {"isRequired": True, "field": {"id": "feedback", "type": "RichText", "path": "feedback",
                                   "humanReadablePath": "Feedback", "title": "Feedback", "isNullable": False}},
]}]}

OFFER_FORM_DEFINITION = {"sections": [{"title": "Offer details", "fields": [
    {"isRequired": True, "field": {"id": "startDate", "type": "Date", "path": "startDate",
                                   "humanReadablePath": "Start Date", "title": "Start Date", "isNullable": False}},
    {"isRequired": True, "field": {"id": "salary", "type": "Currency", "path": "salary",
                                   "humanReadablePath": "Salary", "title": "Salary", "isNullable": False}},
    {"isRequired": False, "field": {"id": "openingId", "type": "String", "path": "openingId",
                                    "humanReadablePath": "Opening", "title": "Opening", "isNullable": True}},
    {"isRequired": False, "field": {"id": "signingBonus", "type": "Currency", "path": "signingBonus",
                                    "humanReadablePath": "Signing Bonus", "title": "Signing Bonus", "isNullable": True}},
    {"isRequired": False, "field": {"id": "equityShares", "type": "Number", "path": "equityShares",
                                    "humanReadablePath": "Equity (shares)", "title": "Equity (shares)", "isNullable": True}},
    {"isRequired": False, "field": {"id": "notes", "type": "String", "path": "notes",
                                    "humanReadablePath": "Notes", "title": "Notes", "isNullable": True}},
]}]}
