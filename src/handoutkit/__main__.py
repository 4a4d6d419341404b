from handoutkit.cli import main

main()
