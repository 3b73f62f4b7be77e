from aiaas_iac.cli import main

main()
