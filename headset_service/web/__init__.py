"""The pages people see: staff pages (server-rendered, Dutch) and the headset page; templates in ../templates."""
