from handoutkit.cli.app import main

main()
