from circulate_branch.cli import main

main()
