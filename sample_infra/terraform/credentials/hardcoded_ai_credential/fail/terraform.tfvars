aws_access_key_id     = "AKIAWUJK54M4WYKP6ILS"
aws_secret_access_key = "set-in-ci"
