from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [
        migrations.RenameField("assessmentevent", "old_status", "from_status"),
        migrations.RenameField("assessmentevent", "new_status", "to_status"),
        migrations.RenameField("assessmentevent", "note", "reason"),
    ]
