"""Customer lifecycle: stages, the policies that assign them, migration and the action playbook."""
