from wiretrace.cli import main

main()
