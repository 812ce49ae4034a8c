"""Two ready-made custom models, installed per tenant by `manage.py install_example_models`.

They double as documentation: everything a definition can say is used at least once.
"""

from __future__ import annotations

ATS_DEPARTMENT = {
    "name": "atsDepartment",
    "title": "Department",
    "description": "An Ashby department (team), from department.list. Archived departments are included; "
                   "filter[isArchived]=false leaves them out.",
    # department.info exists in Ashby but not in every Ashby-compatible server (the sandbox has only
    # the list); departments are few, so retrieve scans the list instead.
    "source": {"list": {"endpoint": "department.list", "body": {"includeArchived": True}}},
    "idPath": "id",
    "createdAtPath": "createdAt",
    "updatedAtPath": "updatedAt",
    "fields": [
        {"key": "name", "type": "string", "path": "name"},
        {"key": "externalName", "type": "string", "path": "externalName",
         "description": "The name shown on the job board."},
        {"key": "isArchived", "type": "boolean", "path": "isArchived"},
        {"key": "parent", "type": "ref", "ref": "atsDepartment", "path": "parentId",
         "description": "The parent department."},
    ],
    "filters": [
        {"key": "isArchived", "path": "isArchived"},
        {"key": "parent", "path": "parentId"},
    ],
}

ATS_INTERVIEW_FEEDBACK = {
    "name": "atsInterviewFeedback",
    "title": "Interview feedback",
    "description": "A submitted interview scorecard, from applicationFeedback.list. filter[application]=<id> "
                   "asks Ashby for one application's feedback.",
    "source": {"list": {"endpoint": "applicationFeedback.list"}},
    "idPath": "id",
    "createdAtPath": "submittedAt",
    "updatedAtPath": "submittedAt",
    "fields": [
        {"key": "application", "type": "ref", "ref": "atsApplication", "path": "applicationId"},
        {"key": "interviewer", "type": "ref", "ref": "genericUser", "path": "submittedByUser.id"},
        {"key": "interviewerEmail", "type": "string", "path": "submittedByUser.email", "transform": "lower"},
        {"key": "eventType", "type": "ref", "ref": "scheduleEventType", "path": "interviewId"},
        {"key": "interviewEventId", "type": "string", "path": "interviewEventId"},
        {"key": "submittedAt", "type": "datetime", "path": "submittedAt"},
        {"key": "recommendation", "type": "enum", "path": "submittedValues.overall_recommendation",
         "options": ["strongNo", "no", "yes", "strongYes"],
         "transform": [{"map": {"1": "strongNo", "2": "no", "3": "yes", "4": "strongYes"}}]},
        {"key": "feedback", "type": "string", "path": "submittedValues.feedback"},
        {"key": "values", "type": "object", "path": "submittedValues",
         "description": "Every submitted form value, keyed by the form field's path."},
        {"key": "formFields", "type": "array", "items": "string",
         "path": "formDefinition.sections.*.fields.*.field.title",
         "description": "Titles of the scorecard's questions."},
    ],
    "filters": [
        {"key": "application", "param": "applicationId"},
    ],
}

EXAMPLES = (ATS_DEPARTMENT, ATS_INTERVIEW_FEEDBACK)


def install_examples(tenant, *, replace: bool = False) -> list[tuple[str, str]]:
    """Create (or with `replace`, overwrite) the example models for a tenant.
    Returns [(name, "created" | "replaced" | "kept")]."""
    from switchboard.mappings.models import CustomModel
    from switchboard.mappings.services import validate_custom_model

    out = []
    for definition in EXAMPLES:
        row = CustomModel.objects.filter(tenant=tenant, name=definition["name"]).first()
        if row is not None and not replace:
            out.append((definition["name"], "kept"))
            continue
        parsed = validate_custom_model(tenant, definition, instance=row)
        if row is None:
            CustomModel.objects.create(tenant=tenant, name=parsed.name, title=parsed.title, definition=definition)
            out.append((parsed.name, "created"))
        else:
            row.definition, row.title, row.is_active = definition, parsed.title, True
            row.save()
            out.append((parsed.name, "replaced"))
    return out
