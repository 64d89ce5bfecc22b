"""The desk's models and the import jobs now belong to their own apps (their tables stay)."""

from django.db import migrations

from crisis_tracker.model_moves import state_only


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0016_review_step_withdrawn"),
    ]

    operations = [
        state_only(
            migrations.RemoveField(
                model_name="importjob",
                name="reviewed_by",
            ),
            migrations.RemoveField(
                model_name="importjob",
                name="user",
            ),
            migrations.RemoveField(
                model_name="notificationsettings",
                name="user",
            ),
            migrations.RemoveField(
                model_name="previewlink",
                name="created_by",
            ),
            migrations.RemoveField(
                model_name="previewlink",
                name="crisis",
            ),
            migrations.RemoveField(
                model_name="reviewcomment",
                name="content_type",
            ),
            migrations.RemoveField(
                model_name="reviewcomment",
                name="crisis",
            ),
            migrations.RemoveField(
                model_name="reviewcomment",
                name="user",
            ),
            migrations.DeleteModel(
                name="CrisisWatch",
            ),
            migrations.DeleteModel(
                name="ImportJob",
            ),
            migrations.DeleteModel(
                name="NotificationSettings",
            ),
            migrations.DeleteModel(
                name="PreviewLink",
            ),
            migrations.DeleteModel(
                name="ReviewComment",
            ),
        ),
    ]
