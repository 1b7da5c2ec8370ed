OpenBLASCoreType.reexecIfUseful()
XAICommand.main()
